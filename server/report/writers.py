"""Writing the report's tables as CSV and XLSX, and the report as PDF.

- CSV: UTF-8 with a BOM (Excel reads it as UTF-8); in German ``;`` between
  fields and a decimal comma, so German Excel opens it in columns; local
  times with their offset (2026-11-30T14:30:00+01:00). Texts that start
  like a formula are quoted with ``'``: participants typed them.
- XLSX: one sheet per activity, bold frozen header row, typed cells
  (numbers as numbers, dates as dates, shares as percentages). Excel shows
  number formats in the reader's locale, so German Excel writes 1.234,5.
- PDF: WeasyPrint from the report's HTML. Its system libraries (Pango) may
  be missing; :func:`pdf_problem` says so, and the HTML report still works.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import cache

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from server.report.tables import Cell, Share, Table


def safe_text(text: str) -> str:
    """Participants typed these: a leading = + - @ would run as a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_cell(value: Cell, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Share):
        text = f"{value * 100:.1f}"
        return text.replace(".", ",") if lang == "de" else text
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "de" else text
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_text(value)


def csv_bytes(table: Table, lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "de" else ",", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(v, lang) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def xlsx_bytes(tables: list[Table], lang: str) -> bytes:
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    datetime_format = "DD.MM.YYYY HH:MM" if lang == "de" else "YYYY-MM-DD HH:MM"
    date_format = "DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD"
    for table in tables:
        sheet = book.create_sheet(table.title.translate(_SHEET_CHARS)[:31])
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(h) for h in table.headers]
        # Our own row counter: ``sheet.max_row`` scans every row, which made 5,000 rows take 11 s.
        for current, values in enumerate(table.rows, start=2):
            row = []
            for value in values:
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    value = value.replace(tzinfo=None)  # Excel has no zones: local time
                elif isinstance(value, str):
                    value = safe_text(value)
                row.append(value)
            sheet.append(row)
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(current, index)
                if isinstance(value, Share):
                    cell.number_format = "0.0%"
                elif isinstance(value, dt.datetime):
                    cell.number_format = datetime_format
                elif isinstance(value, dt.date):
                    cell.number_format = date_format
                elif isinstance(value, float):
                    cell.number_format = "#,##0.00"
                elif isinstance(value, str) and len(value) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[index - 1] = max(widths[index - 1], min(len(str(value or "")), 60))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(8, width + 2)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@cache
def pdf_problem() -> str | None:
    """Why PDFs cannot be made here (WeasyPrint's libraries missing), or None."""
    try:
        import weasyprint  # noqa: F401 - loads Pango through cffi: may fail
    except (ImportError, OSError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def pdf_bytes(html: str) -> bytes:
    """The report's HTML laid out on A4 by its print CSS; seconds for a big event (a thread)."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)
