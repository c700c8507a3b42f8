"""Every survey route, registered in the app with one line."""

from __future__ import annotations

from server.surveys import admin, api, pages

ROUTES = [*admin.ROUTES, *api.ROUTES, *pages.ROUTES]
