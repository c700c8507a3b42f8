"""A survey's log: its definition first, then drafts and responses, folded into a state.

A survey is not a room activity: it has no participants, no live fan-out and
no projector. It keeps the event store's shape (one ordered log per key), so
the SQLite default and Redis both hold it without anything new to deploy
(docs/architecture.md, "Surveys").

Respondents are opaque keys the transport derives (an HMAC of a random
resume token); the log never holds a cookie or an address.
"""

from __future__ import annotations

from datetime import date

import msgspec

from rooms.surveys.answers import Answers, normalise, problems, prune
from rooms.surveys.definition import Survey, status, valid_date


class SurveyCreated(msgspec.Struct, tag="survey.created", frozen=True):
    code: str
    definition: Survey
    moderator_hash: str  # SHA-256 of the moderator token
    at: int
    template: str | None = None
    event: str | None = None  # the join code of the event it belongs to, if any


class DatesChanged(msgspec.Struct, tag="survey.dates", frozen=True):
    """The organiser moves the period: opens it later, extends it, or ends it now."""

    starts: str | None
    ends: str | None
    at: int


class DraftSaved(msgspec.Struct, tag="survey.draft", frozen=True):
    """Answers so far and the section reached, so the respondent can resume."""

    respondent: str
    answers: Answers
    section: int
    at: int


class ResponseSubmitted(msgspec.Struct, tag="survey.response", frozen=True):
    respondent: str
    answers: Answers
    at: int


class EntryReviewed(msgspec.Struct, tag="survey.entry", frozen=True):
    """The organiser publishes a directory entry (response number), or takes it back."""

    response: int
    published: bool
    at: int


class DirectoryShared(msgspec.Struct, tag="survey.directory", frozen=True):
    """The public page of the directory is switched on or off."""

    public: bool
    at: int


class SurveyRevised(msgspec.Struct, tag="survey.revised", frozen=True):
    """The organiser changed the definition in the builder (rooms/surveys/edit.py decides)."""

    definition: Survey
    at: int


class SurveyDeleted(msgspec.Struct, tag="survey.deleted", frozen=True):
    """The organiser deleted the survey: every earlier entry is overwritten with this one."""

    at: int


class PersonalErased(msgspec.Struct, tag="survey.personal_erased", frozen=True):
    """The retention period after the survey's end has passed: contacts are removed.

    Every worker that catches up strips the personal answers from what it
    holds; the store's earlier entries are then overwritten without them
    (server/retention.py). The anonymous answers stay until the survey is
    deleted.
    """

    at: int


Entry = (
    SurveyCreated
    | DraftSaved
    | ResponseSubmitted
    | DatesChanged
    | EntryReviewed
    | DirectoryShared
    | SurveyDeleted
    | PersonalErased
    | SurveyRevised
)

_decoder = msgspec.json.Decoder(Entry)


def encode(entry: Entry) -> bytes:
    return msgspec.json.encode(entry)


def decode(raw: bytes) -> Entry:
    return _decoder.decode(raw)


class SurveyState:
    """Everything the log says, kept in memory by the transport and caught up by seq."""

    def __init__(self, created: SurveyCreated) -> None:
        self.created = created
        self.definition = created.definition
        self.seq = 1
        self.responses: list[ResponseSubmitted] = []
        self.respondents: set[str] = set()
        self.drafts: dict[str, DraftSaved] = {}
        self.published: set[int] = set()  # directory entries, by response number
        self.directory_public = False
        self.deleted = False

    def apply(self, entry: Entry) -> None:
        """Fold one entry in; total, so a late duplicate (two workers) changes nothing."""
        self.seq += 1
        if isinstance(entry, ResponseSubmitted):
            if entry.respondent in self.respondents:
                return
            self.respondents.add(entry.respondent)
            self.responses.append(entry)
            self.drafts.pop(entry.respondent, None)
        elif isinstance(entry, DraftSaved) and entry.respondent not in self.respondents:
            self.drafts[entry.respondent] = entry
        elif isinstance(entry, EntryReviewed):
            if entry.published and 1 <= entry.response <= len(self.responses):
                self.published.add(entry.response)
            else:
                self.published.discard(entry.response)
        elif isinstance(entry, DirectoryShared):
            self.directory_public = entry.public
        elif isinstance(entry, SurveyDeleted):
            self.deleted = True
            self.responses.clear()
            self.drafts.clear()
            self.published.clear()
        elif isinstance(entry, PersonalErased):
            survey = self.definition
            self.responses = [
                msgspec.structs.replace(r, answers=without_personal(survey, r.answers))
                for r in self.responses
            ]
            self.drafts = {
                k: msgspec.structs.replace(d, answers=without_personal(survey, d.answers))
                for k, d in self.drafts.items()
            }
        elif isinstance(entry, SurveyRevised):
            self.definition = entry.definition
        elif isinstance(entry, DatesChanged):
            self.definition = msgspec.structs.replace(
                self.definition, starts=entry.starts, ends=entry.ends
            )

    def answers(self) -> list[Answers]:
        return [r.answers for r in self.responses]


def personal_keys(survey: Survey) -> set[str]:
    """The ids of the personal questions (contacts): answers under them, or ``id.*``."""
    return {q.id for q in survey.questions() if q.personal}


def without_personal(survey: Survey, answers: Answers) -> Answers:
    """The answers with every personal answer (and its sub-answers) left out."""
    personal = personal_keys(survey)
    return {k: v for k, v in answers.items() if k.partition(".")[0] not in personal}


def holds_personal(state: SurveyState) -> bool:
    """Whether any response or draft still carries a personal answer."""
    personal = personal_keys(state.definition)
    if not personal:
        return False
    every: list[ResponseSubmitted | DraftSaved] = [*state.responses, *state.drafts.values()]
    return any(k.partition(".")[0] in personal for r in every for k in r.answers)


def erased_entry(survey: Survey, raw: bytes) -> bytes | None:
    """An entry re-encoded without personal answers, or None when it holds none."""
    entry = decode(raw)
    if not isinstance(entry, ResponseSubmitted | DraftSaved):
        return None
    kept = without_personal(survey, entry.answers)
    if len(kept) == len(entry.answers):
        return None
    return encode(msgspec.structs.replace(entry, answers=kept))


def replay(entries: list[bytes]) -> SurveyState:
    first = decode(entries[0])
    if not isinstance(first, SurveyCreated):
        raise ValueError("a survey log starts with its definition")
    state = SurveyState(first)
    for raw in entries[1:]:
        state.apply(decode(raw))
    return state


def change_dates(starts: str | None, ends: str | None, now: int) -> DatesChanged | Refusal:
    """New dates, if they are ISO dates and the end is not before the start."""
    if not (valid_date(starts) and valid_date(ends)) or (starts and ends and starts > ends):
        return Refusal("dates_invalid", "ends")
    return DatesChanged(starts, ends, now)


class Refusal(msgspec.Struct, frozen=True):
    reason: str
    question: str | None = None
    problems: list[tuple[str, str]] = []


def submit(
    state: SurveyState, respondent: str, answers: Answers, today: date, now: int, *, lenient: bool
) -> ResponseSubmitted | Refusal:
    """Decide a whole response: open survey, first submission, every answer fits.

    ``lenient`` (the form) drops answers to questions that are no longer asked;
    the API is strict and names such a question instead.
    """
    survey = state.definition
    if status(survey, today) != "open":
        return Refusal("survey_" + status(survey, today))
    if respondent in state.respondents:
        return Refusal("already_submitted")
    if lenient:
        answers = prune(survey, answers)
    found = problems(survey, answers)
    if found:
        return Refusal(found[0].reason, found[0].question, [(p.question, p.reason) for p in found])
    return ResponseSubmitted(respondent, normalise(survey, answers), now)
