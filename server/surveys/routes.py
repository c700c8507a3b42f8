"""Every survey route, registered in the app with one line."""

from __future__ import annotations

from server.surveys import admin, api, builder, console, directory_pages, pages

ROUTES = [
    *admin.ROUTES,
    *api.ROUTES,
    *pages.ROUTES,
    *directory_pages.ROUTES,
    *console.ROUTES,
    *builder.ROUTES,
]
