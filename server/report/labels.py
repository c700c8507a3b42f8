"""Translated labels the report files need outside of Jinja (XLSX, CSV, the chart data)."""

from __future__ import annotations

from rooms.activities import ACTIVITIES
from rooms.lobby.domain import OrganisationType
from server.i18n import N_, gettext

# The same words as templates/partials/labels.html, so one translation serves both.
_ORG = {
    OrganisationType.BUSINESS.value: N_("Business"),
    OrganisationType.UNION.value: N_("Trade union"),
    OrganisationType.CHAMBER.value: N_("Chamber / association"),
    OrganisationType.PUBLIC.value: N_("Public administration"),
    OrganisationType.RESEARCH.value: N_("Research / education"),
    OrganisationType.CIVIL_SOCIETY.value: N_("Civil society"),
    OrganisationType.OTHER.value: N_("Other"),
    "unknown": N_("Not given"),
}

_KIND = {
    "single": N_("Single choice"),
    "multiple": N_("Multiple choice"),
    "scale": N_("Scale"),
    "ranking": N_("Ranking"),
    "points": N_("Points"),
    "text": N_("Open text"),
}

_FORMAT = {
    "world_cafe": N_("World Café"),
    "werkstatt": N_("Werkstattgespräch (input talk and discussion)"),
    "design_thinking": N_("Design Thinking workshop"),
    "zukunftswerkstatt": N_("Zukunftswerkstatt (future workshop)"),
    "custom": N_("Custom format"),
}

SECTION_TITLES = {s.key: s.title for a in ACTIVITIES for s in a.report}
"""Each report section's heading (an English msgid), from the activities (``Activity.report``)."""

_SHOWN = {
    "poll": N_("Poll"),
    "board": N_("Idea board"),
    "qna": N_("Q&A"),
    "cafe": N_("World Café"),
    "speakers": N_("Speaker list"),
    "actions": N_("Actions"),
}

_PHASE_STATUS = {
    "planned": N_("not held"),
    "running": N_("still running"),
    "paused": N_("paused"),
    "done": N_("held"),
}

_QUESTION_STATUS = {
    "answered": N_("Answered"),
    "open": N_("Open"),
    "live": N_("Being answered now"),
    "archived": N_("Archived"),
}

_ALTERNATE = {
    "none": N_("in the order of requests"),
    "organisation": N_("alternating by organisation type"),  # as in the console
    "first_time": N_("alternating: first-time speakers first"),
}


def org_labels(lang: str) -> dict[str, str]:
    return {key: gettext(lang, text) for key, text in _ORG.items()}


def kind_label(lang: str, kind: str) -> str:
    return gettext(lang, _KIND.get(kind, kind))


def format_label(lang: str, value: str) -> str:
    return gettext(lang, _FORMAT.get(value, _FORMAT["custom"]))


def section_title(lang: str, key: str) -> str:
    return gettext(lang, SECTION_TITLES.get(key, key))


def question_status(lang: str, status: str) -> str:
    return gettext(lang, _QUESTION_STATUS.get(status, status))


def alternate_label(lang: str, value: str) -> str:
    return gettext(lang, _ALTERNATE.get(value, value))


def shown_label(lang: str, kind: str, name: str | None) -> str:
    """An activity a phase showed: "Umfrage: Wo zuerst investieren?" or "Redeliste"."""
    label = gettext(lang, _SHOWN.get(kind, kind))
    return f"{label}: {name}" if name else label


def phase_status(lang: str, status: str) -> str:
    return gettext(lang, _PHASE_STATUS.get(status, status))
