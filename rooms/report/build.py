"""Build the report from a room: :func:`build_report` and its sections.

Every number comes from :func:`rooms.views.moderator_view`, the console's
view, never from a second count over the state: what the PDF says is what
the console said. The state is read only for what no view carries (the
event's details, the peak of people present, who left).

The sections come from the activities (``Activity.report`` in the
registry, ``rooms/activities.py``): each brings its key, its place and its
builder, in its own package (``rooms/<activity>/report.py``). Adding one
still means a Struct in ``model.py`` (a field of :class:`Report`) and a
template in ``templates/report/sections/``; the CSV and XLSX tables are the
transport's (``server/report/tables.py``). A section with nothing in it is
left out rather than printed empty.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import msgspec

from rooms import views
from rooms.activities import ACTIVITIES
from rooms.report.inputs import Inputs
from rooms.report.model import Cover, Report
from rooms.room import RoomState

_SECTIONS = sorted((s for a in ACTIVITIES for s in a.report), key=lambda s: s.order)

SECTIONS: tuple[str, ...] = tuple(s.key for s in _SECTIONS)
"""The sections a moderator can tick, in the report's order. The cover is always there."""

_BUILDERS: dict[str, Callable[[Inputs], Any]] = {s.key: s.build for s in _SECTIONS}
if len(_BUILDERS) != len(_SECTIONS) or set(SECTIONS) - set(Report.__struct_fields__):
    raise TypeError("every report section needs its own key and a field of Report")


def build_report(
    state: RoomState,
    online: Collection[str],
    now: int,
    org_labels: Mapping[str, str],
    sections: Collection[str] | None = None,
    answers: bool = False,
) -> Report:
    """The report of a room as it stands at ``now`` (ms since the epoch, from the caller).

    ``sections`` are the ticked ones (None: all); unknown keys are ignored.
    """
    view = views.moderator_view(state, frozenset(online), limit=0)
    wanted = [s for s in SECTIONS if sections is None or s in sections]
    inputs = Inputs(state, view, org_labels, answers)
    parts = {key: _BUILDERS[key](inputs) for key in wanted}
    # A section with nothing in it (no café in this event) is left out, not printed empty.
    present = [key for key in wanted if parts[key] not in (None, [])]
    report = Report(sections=present, cover=_cover(state, view, now))
    return msgspec.structs.replace(report, **{key: parts[key] for key in present})


def _cover(state: RoomState, view: views.View, now: int) -> Cover:
    details = state.lobby.details
    return Cover(
        title=view.title,
        code=view.code,
        format=view.format,
        language=view.language,
        status=view.status,
        date=view.date,
        place=details.place,
        organisers=details.organisers,
        region=details.region,
        created_at=state.lobby.created_at,
        generated_at=now,
    )
