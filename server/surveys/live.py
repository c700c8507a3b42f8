"""The phones' survey card, pushed live when one of the event's surveys changes.

A survey is no room activity (docs/architecture.md, "Surveys"): its log is
not the event's, so the hub's fan-out never hears of it. When an organiser
makes a survey for an event, edits it or moves its period, this module
renders the card of the event's open surveys once per language and queues
it into every phone connection of the event on this worker, under one
outbox key: a newer card replaces an undelivered older one, like any view.
"""

from __future__ import annotations

import logging

from server.services import services
from server.surveys.common import AnyRequest

log = logging.getLogger(__name__)
KEY = "event-surveys"


async def push_cards(request: AnyRequest, event: str) -> int:
    """Send the event's open surveys to its connected phones; how many got it."""
    from server.surveys.console import open_surveys  # the console imports the pages

    svc = services(request)
    hub = await svc.rooms.get(event)
    if hub is None:
        return 0
    phones = [sub for sub in hub.subscribers if sub.kind == "phone"]
    if not phones:
        return 0
    surveys = await open_surveys(request, svc, event)
    texts: dict[str, str] = {}
    for sub in phones:
        if sub.lang not in texts:
            texts[sub.lang] = svc.renderer.render(
                sub.lang, "surveys/phone_card.html", surveys=surveys, oob=True
            )
        hub.deliver(sub, KEY, texts[sub.lang])
    return len(phones)


async def survey_changed(request: AnyRequest, event: str | None) -> None:
    """After a survey of ``event`` was made or changed: its phones see the card as it is now."""
    if event:
        sent = await push_cards(request, event)
        log.debug("event %s: survey card pushed to %d phones", event, sent)
