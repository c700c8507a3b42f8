"""The directory of initiatives (issue 17): the organiser's review, and an optional public page.

``/u/CODE/initiativen`` shows the organiser (the survey's moderator or the
admin) every entry that the inventory's responses with consent make, with a
search, filters by Land and topic, figures per Land, and a button per entry
to publish it or take it back. When the organiser switches the public page
on, everybody else sees the published entries there; otherwise the page is
not found for them.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import msgspec
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.surveys.directory import DirectoryEntry, directory, has_directory
from rooms.surveys.log import DirectoryShared, EntryReviewed, SurveyState
from server.auth import LANG_COOKIE
from server.csrf import FIELD as CSRF_FIELD
from server.csrf import FormGuard, form_allowed
from server.i18n import pick_language
from server.services import Services, services
from server.surveys.common import AnyRequest, find, is_moderator, message, option_labels
from server.surveys.common import survey_store as store_of
from server.surveys.pages import not_found, render, with_cookies


def figures(
    entries: list[DirectoryEntry],
) -> list[tuple[str | None, int, Counter[str], Counter[str]]]:
    """Per Land: entries, topics, and members by organisation type."""
    by_region: dict[str | None, list[DirectoryEntry]] = {}
    for e in entries:
        by_region.setdefault(e.region, []).append(e)
    rows = []
    for region, group in sorted(by_region.items(), key=lambda kv: (-len(kv[1]), kv[0] or "")):
        topics: Counter[str] = Counter(t for e in group for t in e.topics)
        members: Counter[str] = Counter()
        for e in group:
            for m in e.members:
                members[m.kind] += m.count or 0
        rows.append((region, len(group), topics, members))
    return rows


class RegionEvents(msgspec.Struct, frozen=True):
    """Events held in one region, from the admin's cross-event overview."""

    region: str
    events: int
    joined: int  # participants who joined, over these events


async def events_per_region(svc: Services) -> list[RegionEvents]:
    """Every event on this server, counted per region (as typed at creation).

    An event's region is free text (a model region such as "Lausitz", not a
    Land), so it stands beside the figures per Land instead of being forced
    into them. Counts only: no titles or names leave the admin's overview.
    """
    from server import overview  # the overview imports the pages, which import the surveys

    counts: dict[str, tuple[str, int, int]] = {}
    for row in await overview.overview(svc):
        if not row.region:
            continue
        key = row.region.strip().casefold()
        name, events, joined = counts.get(key, (row.region.strip(), 0, 0))
        counts[key] = (name, events + 1, joined + row.joined_ever)
    found = [RegionEvents(*v) for v in counts.values()]
    return sorted(found, key=lambda r: (-r.events, r.region.casefold()))


@get("/u/{code:str}/initiativen", include_in_schema=False)
async def directory_page(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    state = await find(request, code)
    if state is None or not has_directory(state.definition, state.created.template):
        return not_found(svc, request)
    survey = state.definition
    lang = pick_language(
        request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), survey.language
    )
    organiser = await is_moderator(request, state)
    if not organiser and not state.directory_public:
        return not_found(svc, request)
    region = request.query_params.get("region") or None
    topic = request.query_params.get("topic") or None
    text = (request.query_params.get("q") or "")[:100]
    entries = directory(
        state.answers(),
        state.published,
        region=region,
        topic=topic,
        text=text,
        only_published=not organiser,
    )
    guard = FormGuard(svc.signer, request, svc.base_url.startswith("https://"))
    questions = {qid: survey.question(qid) for qid in ("region", "topics", "member_types")}
    labels = {qid: option_labels(lang, q) for qid, q in questions.items() if q is not None}
    page = render(
        svc,
        lang,
        "surveys/directory.html",
        survey=survey,
        code=state.created.code,
        entries=entries,
        organiser=organiser,
        public=state.directory_public,
        figures=figures(entries),
        region_events=await events_per_region(svc) if organiser else [],
        labels=labels,
        region=region,
        topic=topic,
        text=text,
        csrf=guard.token,
        csrf_field=CSRF_FIELD,
    )
    return with_cookies(page, guard.cookie)


async def organiser_form(request: AnyRequest, code: str) -> tuple[SurveyState, Any] | Response[Any]:
    svc = services(request)
    state = await find(request, code)
    if state is None or not has_directory(state.definition, state.created.template):
        return not_found(svc, request)
    form = await request.form()
    if not await is_moderator(request, state) or not form_allowed(
        request, svc.signer, svc.base_url, form.get(CSRF_FIELD)
    ):
        lang = pick_language(state.definition.language)
        return render(svc, lang, "message.html", 403, title=message(lang, "not_allowed"), text="")
    return state, form


@post("/u/{code:str}/initiativen/{number:int}", include_in_schema=False, status_code=200)
async def review_entry(
    request: AnyRequest, code: FromPath[str], number: FromPath[int]
) -> Response[Any]:
    """Publish an entry (``publish=1``) or take it back (``publish=0``)."""
    checked = await organiser_form(request, code)
    if isinstance(checked, Response):
        return checked
    state, form = checked
    publish = form.get("publish") == "1"
    now = time.time_ns() // 1_000_000
    await store_of(request).write(state.created.code, lambda s: EntryReviewed(number, publish, now))
    back = form.get("back") if str(form.get("back", "")).startswith("?") else ""
    return Redirect(f"/u/{state.created.code}/initiativen{back}#e-{number}", status_code=303)


@post("/u/{code:str}/initiativen/oeffentlich", include_in_schema=False, status_code=200)
async def share_directory(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Switch the public page of the directory on (``public=1``) or off."""
    checked = await organiser_form(request, code)
    if isinstance(checked, Response):
        return checked
    state, form = checked
    public = form.get("public") == "1"
    now = time.time_ns() // 1_000_000
    await store_of(request).write(state.created.code, lambda s: DirectoryShared(public, now))
    return Redirect(f"/u/{state.created.code}/initiativen", status_code=303)


ROUTES = [directory_page, review_entry, share_directory]
