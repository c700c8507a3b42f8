"""The polls' section of the event's report: every poll that ran, with its results.

Its builders read the console's full view (``Inputs.view``), as every section
does: what the report says is what the console said.
"""

from __future__ import annotations

import functools

import msgspec

from rooms.polls.tally import (
    ChoiceResults,
    PointsResults,
    RankingResults,
    ScaleResults,
    TextResults,
)
from rooms.polls.views import PollView
from rooms.report.charts import bar_chart, word_cloud
from rooms.report.inputs import Inputs
from rooms.report.model import (
    OptionRow,
    PollReport,
)


def build_polls(inputs: Inputs) -> list[PollReport]:
    """Polls that ran: drafts were never shown to anyone and are not documented."""
    out = []
    shown = [p for p in inputs.view.polls if p.status != "draft"]
    for number, poll in enumerate(shown, start=1):
        out.append(_poll(number, poll, inputs.answers))
    return out


def _poll(number: int, poll: PollView, answers: bool) -> PollReport:
    labels = {o.id: o.label for o in poll.options}
    s = poll.settings
    base = PollReport(
        number=number,
        id=poll.id,
        question=poll.question,
        kind=poll.kind,
        status=poll.status,
        anonymous=s.anonymous,
        voters=poll.voters or 0,
        rows=[],
    )
    done = functools.partial(msgspec.structs.replace, base)
    match poll.results:
        case ChoiceResults(voters=voters, counts=counts, names=names):
            rows = [
                OptionRow(
                    label=labels[o],
                    value=n,
                    share=n / voters if voters else 0.0,
                    names=None if names is None or s.anonymous else list(names.get(o, [])),
                )
                for o, n in counts.items()
            ]
            chart = bar_chart([(labels[o], float(n)) for o, n in counts.items()], of=voters)
            return done(voters=voters, rows=rows, chart=chart)
        case ScaleResults(voters=voters, distribution=dist, mean=mean, median=median):
            rows = [
                OptionRow(label=v, value=n, share=n / voters if voters else 0.0)
                for v, n in dist.items()
            ]
            chart = bar_chart([(v, float(n)) for v, n in dist.items()], of=voters)
            return done(
                voters=voters,
                rows=rows,
                chart=chart,
                mean=mean,
                median=median,
                min_label=s.min_label,
                max_label=s.max_label,
            )
        case RankingResults(voters=voters, scores=scores, order=order, places=places):
            rows = [OptionRow(label=labels[o], value=scores[o], place=places[o]) for o in order]
            chart = bar_chart([(labels[o], float(scores[o])) for o in order], shares=False)
            return done(voters=voters, rows=rows, chart=chart)
        case PointsResults(voters=voters, totals=totals, supporters=supporters):
            order = sorted(totals, key=lambda o: -totals[o])  # stable: ties keep option order
            rows = [
                OptionRow(label=labels[o], value=totals[o], supporters=supporters[o]) for o in order
            ]
            chart = bar_chart([(labels[o], float(totals[o])) for o in order], shares=False)
            return done(voters=voters, rows=rows, chart=chart, budget=s.budget)
        case TextResults(voters=voters, answers=given, words=words):
            shown = [a.text for a in given if not a.hidden]
            return done(
                voters=voters,
                rows=[],
                words=word_cloud([(w.label, w.count) for w in words]),
                answers=list(reversed(shown)) if answers else None,  # oldest first, as given
                answer_count=len(shown),
            )
    raise AssertionError(poll.kind)  # pragma: no cover - moderators always see results
