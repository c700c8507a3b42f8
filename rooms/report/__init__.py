"""The event's documentation: one report model, built from the console's full view.

A report is one more projection of a room, like the views in
``rooms/views.py``: pure, deterministic (the time it was made comes in as an
argument), and built from :func:`rooms.views.moderator_view`, so every number
in every file equals the console's. The transport renders it as HTML, PDF,
XLSX, CSV and Markdown (``server/report/``); nothing here knows those formats.

- :mod:`rooms.report.model`: the msgspec Structs, one per section.
- :mod:`rooms.report.charts`: chart geometry (bars and their lengths), which
  the templates draw as inline SVG.
- :mod:`rooms.report.build`: :func:`build_report`, and the sections in the
  report's order (:data:`rooms.report.build.SECTIONS`), from the activities.
- :mod:`rooms.report.inputs`: what every section's builder reads; the
  builders are in the activities' packages (``rooms/<activity>/report.py``).

Nothing is imported here: the registry imports the activities' builders,
which import this package, so importing ``build`` here would import the
registry back while it is still being built.
"""
