"""Dates the customer wrote, as calendar days: "40 days ago", "last Tuesday", "March 3" → a date.

Resolved against a given ``today`` (the composer passes its own, so a draft and its checks agree).
Only day-precise expressions resolve: "last week", "in March", "a few days ago" stay ``None``, and
so does a numeric date whose day and month could be swapped ("03/04/2024"). A year-less date is
the latest such day on or before today; "last/on/since Friday" is the latest Friday before today
and "next/by/until Friday" the first one after it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_ONES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ONE = {"a": 1, "an": 1, "a couple of": 2, "a couple": 2}
NUMBER_WORDS = "|".join(
    sorted([*_ONES, *_TENS, *(f"{t}[- ]{o}" for t in _TENS for o in list(_ONES)[:9])], key=len, reverse=True)
)
"""A regex alternation of the number words ``number`` reads (one … ninety-nine)."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    name: i
    for i, full in enumerate(calendar.month_name)
    if full
    for name in (full.lower(), full.lower()[:3], "sept" if i == 9 else full.lower()[:3])
}
_PAST = ("last", "on", "since")
_FUTURE = ("next", "by", "until", "before")
_SAME_DAY = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "yesterday": 1, "last night": 1, "the day before yesterday": 2, "tomorrow": -1,
}  # fmt: skip
_AGO = re.compile(r"(.+?) (day|week|month|year)s? (?:ago|back)")
_DAY_NAME = re.compile(rf"({'|'.join(_PAST + _FUTURE)}|this) ({'|'.join(WEEKDAYS)})")
_NUMERIC = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})")
_MONTH_DAY = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?(?:,? (\d{4}))?")


def number(words: str) -> int | None:
    """ "40" → 40, "forty" → 40, "forty-five" → 45, "a" → 1, "a couple of" → 2; else None."""
    w = words.strip()
    if w.isdigit():
        return int(w)
    if w in _ONE:
        return _ONE[w]
    if w in _ONES:
        return _ONES[w]
    tens, _, ones = w.replace("-", " ").partition(" ")
    if tens in _TENS and (not ones or ones in _ONES and _ONES[ones] < 10):
        return _TENS[tens] + (_ONES[ones] if ones else 0)
    return None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def before(today: dt.date, count: int, unit: str) -> dt.date | None:
    """``count`` days, weeks, months or years before ``today``; None past the calendar's range."""
    try:
        if unit == "day":
            return today - dt.timedelta(days=count)
        if unit == "week":
            return today - dt.timedelta(weeks=count)
        return months_before(today, count * (12 if unit == "year" else 1))
    except (OverflowError, ValueError):
        return None


def _latest(year: int | None, month: int, day: int, today: dt.date) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year, month, day)
        found = dt.date(today.year, month, day)
        return found if found <= today else dt.date(today.year - 1, month, day)
    except ValueError:  # 31 June, 29 February in a common year
        return None


def resolve(text: str, today: dt.date) -> dt.date | None:
    """The calendar day a date expression names, relative to ``today``; None when not day-precise."""
    t = " ".join(text.lower().replace("’", "'").split()).rstrip(".,")
    if t in _SAME_DAY:
        return today - dt.timedelta(days=_SAME_DAY[t])
    m = _AGO.fullmatch(t)
    if m:
        count = number(m.group(1))
        return None if count is None else before(today, count, m.group(2))
    m = _DAY_NAME.fullmatch(t)
    if m:
        prefix, weekday = m.group(1), WEEKDAYS.index(m.group(2))
        if prefix in _PAST:
            return today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
        if prefix in _FUTURE:
            return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)
        return None  # "this Friday": past or coming, the words don't say
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        try:
            return dt.date.fromisoformat(t)
        except ValueError:
            return None
    m = _NUMERIC.fullmatch(t)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year = y + 2000 if y < 100 else y
        if a > 12 >= b:
            return _latest(year, b, a, today)
        if b > 12 >= a:
            return _latest(year, a, b, today)
        return None  # day and month could be swapped
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        m = pattern.fullmatch(t)
        if m and m.group(month_group) in _MONTHS:
            written = int(m.group(3)) if m.group(3) else None
            return _latest(written, _MONTHS[m.group(month_group)], int(m.group(day_group)), today)
    return None
