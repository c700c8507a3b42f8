"""Poll results, computed from the current ballots.

Tallies are recomputed from the ballots rather than kept as running
counters: a changed vote, a reset or a late vote can then never leave a
counter off by one, and the work (one pass over at most 5,000 ballots) is
done at most once per fan-out tick.
"""

from __future__ import annotations

import statistics

import msgspec

from rooms.polls.domain import Poll, PollKind
from rooms.words import word_counts


class ChoiceResults(msgspec.Struct, frozen=True, tag="choice", omit_defaults=True):
    """single and multiple: how many ballots name each option.

    ``names`` (option -> voters' names) only in named polls, only for the moderator.
    """

    voters: int
    counts: dict[str, int]
    names: dict[str, list[str]] | None = None


class ScaleResults(msgspec.Struct, frozen=True, tag="scale"):
    voters: int
    distribution: dict[str, int]  # every value of the scale, as a string key
    mean: float | None
    median: float | None


class RankingResults(msgspec.Struct, frozen=True, tag="ranking"):
    """Borda count: on n options, first place scores n-1, last 0.

    ``ranks[option][i]`` is how many ballots put that option in place i+1.
    ``order`` lists option ids best first; ``places`` gives each option's
    place, equal for ties (1, 2, 2, 4).
    """

    voters: int
    scores: dict[str, int]
    order: list[str]
    places: dict[str, int]
    ranks: dict[str, list[int]]


class PointsResults(msgspec.Struct, frozen=True, tag="points"):
    voters: int
    totals: dict[str, int]
    supporters: dict[str, int]  # ballots giving the option at least one point


class Answer(msgspec.Struct, frozen=True):
    id: int
    text: str
    hidden: bool = False
    name: str | None = None  # only in named polls, only for the moderator


class Word(msgspec.Struct, frozen=True):
    """A cloud word: ``word`` is the lower-cased key for hiding, ``label`` how it is shown."""

    word: str
    count: int
    label: str


class TextResults(msgspec.Struct, frozen=True, tag="text", omit_defaults=True):
    voters: int
    answers: list[Answer]  # newest first
    words: list[Word]
    hidden_words: list[str] = msgspec.field(default_factory=list)  # moderator only


Results = ChoiceResults | ScaleResults | RankingResults | PointsResults | TextResults


def tally(
    poll: Poll, *, moderator: bool = False, names: dict[str, str | None] | None = None
) -> Results:
    """The results of ``poll``. Only the moderator sees hidden answers (marked)."""
    ballots = list(poll.ballots.values())
    ids = [o.id for o in poll.options]
    voters = len(ballots)
    match poll.kind:
        case PollKind.SINGLE | PollKind.MULTIPLE:
            counts = dict.fromkeys(ids, 0)
            named: dict[str, list[str]] | None = None
            show_names = moderator and names is not None and not poll.settings.anonymous
            if show_names:
                named = {i: [] for i in ids}
            for pid, b in poll.ballots.items():
                for choice in [b.choice] if b.choice is not None else b.choices or []:
                    counts[choice] += 1
                    if named is not None and names is not None and pid in names:
                        named[choice].append(names[pid] or "?")
            return ChoiceResults(voters, counts, named)
        case PollKind.SCALE:
            s = poll.settings
            dist = {str(v): 0 for v in range(s.scale_min, s.scale_max + 1)}
            values = [b.value for b in ballots if b.value is not None]
            for v in values:
                dist[str(v)] += 1
            mean = round(statistics.fmean(values), 2) if values else None
            median = float(statistics.median(values)) if values else None
            return ScaleResults(voters, dist, mean, median)
        case PollKind.RANKING:
            n = len(ids)
            scores = dict.fromkeys(ids, 0)
            ranks = {i: [0] * n for i in ids}
            for b in ballots:
                for place, option in enumerate(b.ranking or []):
                    scores[option] += n - 1 - place
                    ranks[option][place] += 1
            order = sorted(ids, key=lambda i: (-scores[i], ids.index(i)))
            return RankingResults(voters, scores, order, _places(order, scores), ranks)
        case PollKind.POINTS:
            totals = dict.fromkeys(ids, 0)
            supporters = dict.fromkeys(ids, 0)
            for b in ballots:
                for option, points in (b.points or {}).items():
                    totals[option] += points
                    supporters[option] += 1
            return PointsResults(voters, totals, supporters)
        case PollKind.TEXT:
            numbered = sorted(
                ((poll.answer_numbers[pid], pid, b.text or "") for pid, b in poll.ballots.items()),
                reverse=True,
            )
            answers = [
                Answer(
                    number,
                    text,
                    number in poll.hidden_answers,
                    (names or {}).get(pid) if moderator and not poll.settings.anonymous else None,
                )
                for number, pid, text in numbered
                if moderator or number not in poll.hidden_answers
            ]
            shown = [text for number, _, text in numbered if number not in poll.hidden_answers]
            words = [Word(w, c, label) for w, c, label in word_counts(shown, poll.hidden_words)]
            hidden_words = sorted(poll.hidden_words) if moderator else []
            return TextResults(voters, answers, words, hidden_words)
    raise AssertionError(poll.kind)  # pragma: no cover


def cached_tally(poll: Poll, *, moderator: bool = False) -> Results:
    """``tally(poll, moderator=moderator)``, counted once per change of the poll.

    Every fan-out tick renders every audience, and each render showed every
    poll's results: in a room of twenty polls, nineteen closed, a vote in
    the twentieth re-counted all twenty for the screen, the console and the
    phones (a third of the event loop in the stamina benchmark, mostly the
    closed polls' tallies and word clouds). The results are kept on the
    poll (see :class:`rooms.polls.domain.Poll`) until an event touches it;
    ``apply`` then calls :meth:`~rooms.polls.domain.Poll.changed`. Named
    polls' results for the moderator name voters, and names change without
    a poll event, so those are always counted afresh (by the caller).
    Callers must not change the results they get: they are shared.
    """
    kept: dict[bool, Results] | None = poll.__dict__.get("results")
    if kept is None:  # not setdefault: that builds an empty dict at every call
        kept = poll.__dict__["results"] = {}
    results = kept.get(moderator)
    if results is None:
        results = kept[moderator] = tally(poll, moderator=moderator)
    return results


def _places(order: list[str], scores: dict[str, int]) -> dict[str, int]:
    """Standard competition ranking: ties share a place, the next place is skipped."""
    places: dict[str, int] = {}
    for index, option in enumerate(order):
        if index and scores[option] == scores[order[index - 1]]:
            places[option] = places[order[index - 1]]
        else:
            places[option] = index + 1
    return places
