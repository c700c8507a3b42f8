"""The event's documentation as files: the HTML report page, PDF, XLSX, CSV, JSON, Markdown.

The report itself is built in the core (:mod:`rooms.report`); this package
only renders it, serves it and says who may have it. Everything heavy
(building, PDF layout, workbooks) runs in a worker thread, never on the
event loop, so a room of 1,000 people keeps its rhythm while a report of it
is made.
"""
