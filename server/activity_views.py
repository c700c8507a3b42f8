"""Each activity's view fields, kept between renders until something they read changed.

Why: the JSON API's views are whole (docs/api.md), so every tick rebuilt
every activity's view for the screen, the moderator and the phones, also of
activities nothing happened in. While a hall upvoted, every 100 ms tick
tallied each earlier poll's ballots again for the moderator and the screen
(``tally`` over a thousand ballots, twice a tick), and every vote rebuilt
the 50 questions of the Q&A (docs/benchmarks.md, "Upvotes"). The fan-out
already knows what changed since a kind's last render (the activities an
entry wrote, ``online``); an activity whose own part and whose ``reads``
are not among them shows what it showed, so its fields are taken as they
were.

The moderator's people list (a row per person, the stakeholder mix) is
kept the same way: it reads the lobby and who is online, and was rebuilt
for every tick of the console and the API moderator (1,000 rows every
100 ms in the ceiling run, docs/benchmarks.md).

Correctness rests on one rule: every render that is told what changed
(``dirty``) either rebuilds what it made stale or drops it (:meth:`forget`),
so whatever is kept is current as of the last render of its audience, and
the next render's ``dirty`` covers everything since.

The fields are plain view Structs, never mutated after they are built, so
reusing them is safe. An entry belongs to one ``RoomState`` object: a room
rebuilt from its log is a new object, and two hubs of one room in one
process (tests, a worker's reload) never share fields.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from typing import Any, TypeVar

from rooms import views
from rooms.activities import ACTIVITIES, VIEW_READS
from rooms.activity import ONLINE
from rooms.room import RoomState

K = TypeVar("K")
V = TypeVar("V")

_LIMIT = 256  # (room, audience) entries kept; a room has at most three audiences


class ActivityViews:
    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, str], tuple[RoomState, dict[str, dict[str, Any]]]] = (
            OrderedDict()
        )
        self._people: OrderedDict[tuple[str, int | None], tuple[RoomState, dict[str, Any]]] = (
            OrderedDict()
        )
        self.built = 0  # activity views built (tests and benchmarks read it)
        self.reused = 0

    def fields(
        self, state: RoomState, audience: str, dirty: Collection[str] | None
    ) -> dict[str, Any]:
        """Every activity's view fields for ``audience``.

        ``dirty``: what changed since the caller's last render of this
        audience (activity names, ``online``), or None for "anything may
        have", which builds every activity's view afresh.
        """
        key = (state.lobby.code, audience)
        entry = self._kept.get(key)
        kept = entry[1] if entry is not None and entry[0] is state and dirty is not None else {}
        fresh: dict[str, dict[str, Any]] = {}
        fields: dict[str, Any] = {}
        for activity in ACTIVITIES:
            part = kept.get(activity.name)
            if part is None or dirty is None or not VIEW_READS[activity.name].isdisjoint(dirty):
                part = activity.view(state, audience)
                self.built += 1
            else:
                self.reused += 1
            fresh[activity.name] = part
            fields.update(part)
        _remember(self._kept, key, (state, fresh))
        return fields

    def forget(self, state: RoomState, audience: str, dirty: Collection[str]) -> None:
        """A render of ``audience`` consumed ``dirty``: drop what it made stale.

        Called by every render that is told what changed, whether it builds the
        views or not. A render that found nothing to do (the projector shows a
        poll, a question was asked) still consumes its ``dirty``; the kept Q&A
        fields would otherwise be taken as current by the next render, whose
        ``dirty`` no longer names the question (the projector switched to the
        Q&A and did not show it, found in review).
        """
        key = (state.lobby.code, audience)
        entry = self._kept.get(key)
        if entry is not None and entry[0] is state:
            kept = entry[1]
            for name in [n for n in kept if not VIEW_READS[n].isdisjoint(dirty)]:
                del kept[name]
        if audience == "moderator" and not _PEOPLE_READS.isdisjoint(dirty):
            for people_key in [k for k in self._people if k[0] == state.lobby.code]:
                del self._people[people_key]

    def people(
        self,
        state: RoomState,
        online: frozenset[str],
        limit: int | None,
        dirty: Collection[str] | None,
    ) -> dict[str, Any]:
        """The moderator's people fields (:func:`rooms.views.people_fields`), kept while
        neither the lobby nor who is online changed."""
        key = (state.lobby.code, limit)
        entry = self._people.get(key)
        if (
            entry is not None
            and entry[0] is state
            and dirty is not None
            and _PEOPLE_READS.isdisjoint(dirty)
        ):
            self._people.move_to_end(key)
            return entry[1]
        fields = views.people_fields(state, online, limit)
        _remember(self._people, key, (state, fields))
        return fields


_PEOPLE_READS = frozenset({"lobby", ONLINE})


def _remember(kept: OrderedDict[K, V], key: K, value: V) -> None:
    """Keep ``value`` as the newest entry, and at most ``_LIMIT`` entries."""
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > _LIMIT:
        kept.popitem(last=False)
