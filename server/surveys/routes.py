"""Every survey route, registered in the app with one line."""

from __future__ import annotations

from server.surveys import api, pages

ROUTES = [*api.ROUTES, *pages.ROUTES]
