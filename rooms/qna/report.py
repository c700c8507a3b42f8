"""The Q&A's section of the event's report: the questions the room saw.

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

from rooms.report.inputs import Inputs, present
from rooms.report.model import (
    QnaReport,
    QuestionReport,
)

_REPORTED = {"visible": "open", "live": "live", "answered": "answered", "archived": "archived"}


def build_qna(inputs: Inputs) -> list[QnaReport]:
    """Each session's questions with their votes and whether they were answered.

    Counts come from the console's view; the state is read only for who
    asked (to count askers, and to drop a leaver's name), never put in the
    report: an anonymous question carries no name and no id, and upvotes
    are counts only (nobody, moderators included, sees who upvoted).
    """
    qna = inputs.state.qna
    out = []
    for number, session in enumerate(inputs.view.qna, start=1):
        merged: dict[str, int] = {}
        for q in session.questions:
            if q.merged_into:
                merged[q.merged_into] = merged.get(q.merged_into, 0) + 1
        reported = [q for q in session.questions if q.status in _REPORTED]
        questions = [
            QuestionReport(
                number=place,
                text=q.text,
                votes=q.votes,
                status=_REPORTED[q.status],
                name=q.name if present(inputs, qna.questions[q.id].participant) else None,
                starred=q.starred,
                merged=merged.get(q.id, 0),
            )
            for place, q in enumerate(reported, start=1)
        ]
        asked = [qna.questions[q.id] for q in session.questions]
        voters = set().union(*(q.voters for q in asked)) if asked else set()
        out.append(
            QnaReport(
                number=number,
                id=session.id,
                title=session.title,
                speaker=session.speaker,
                mode=session.mode,
                questions=questions,
                asked=len(asked),
                answered=sum(1 for q in questions if q.status == "answered"),
                open=sum(1 for q in questions if q.status in ("open", "live")),
                askers=len({q.participant for q in asked}),
                anonymous=sum(1 for q in asked if q.name is None),
                voters=len(voters),
            )
        )
    return out
