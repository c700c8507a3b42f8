"""Numbers, dates and times as the report's reader expects them, in the event's language.

Times are shown in the server's configured time zone (``DIALOGRAUM_TIMEZONE``,
default Europe/Berlin): an event happens in one place, and its documentation
should say 14:30 when the round started at half past two there.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent


class Formatter:
    def __init__(self, lang: str, timezone: str) -> None:
        self.lang = lang
        self.zone = ZoneInfo(timezone)

    def local(self, ms: int) -> dt.datetime:
        """An aware datetime in the event's zone (for spreadsheets and CSV)."""
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).astimezone(self.zone)

    def iso(self, ms: int | None) -> str:
        """Local time with its offset, to the second: 2026-11-30T14:30:00+01:00."""
        return "" if ms is None else self.local(ms).isoformat(timespec="seconds")

    def datetime(self, ms: int | None) -> str:
        if ms is None:
            return ""
        return format_datetime(self.local(ms), format="medium", locale=self.lang)

    def time(self, ms: int | None) -> str:
        return "" if ms is None else format_time(self.local(ms), format="short", locale=self.lang)

    def date(self, iso: str | None) -> str:
        """An event's date (YYYY-MM-DD) in words: 30. November 2026 / November 30, 2026."""
        if not iso:
            return ""
        try:
            day = dt.date.fromisoformat(iso)
        except ValueError:
            return iso
        return format_date(day, format="long", locale=self.lang)

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(round(value, digits), format=pattern, locale=self.lang)

    def decimal(self, value: float | None, digits: int = 2) -> str:
        """Up to ``digits`` decimals, trailing zeros dropped: 2,5 / 3."""
        if value is None:
            return "–"
        return format_decimal(
            round(value, digits), format="#,##0." + "#" * digits, locale=self.lang
        )

    def percent(self, share: float | None) -> str:
        return "–" if share is None else format_percent(share, format="#,##0 %", locale=self.lang)

    def duration(self, seconds: int | None) -> str:
        """Speaking time as minutes and seconds, 2:05; an hour and more stays in minutes, 75:30."""
        if seconds is None:
            return "–"
        return f"{seconds // 60}:{seconds % 60:02d}"

    def minutes(self, seconds: int | None) -> str:
        """A length in whole minutes, rounded: 25 / 7,5 for half minutes."""
        if seconds is None:
            return "–"
        return self.decimal(round(seconds / 30) / 2, 1)

    def deviation(self, seconds: int | None) -> str:
        """Over (+) or under (−) plan in minutes: +5 / −2,5 / ±0."""
        if seconds is None:
            return "–"
        value = round(seconds / 30) / 2
        if value == 0:
            return "±0"
        return ("+" if value > 0 else "−") + self.decimal(abs(value), 1)
