"""A period of days cut into the whole calendar months it holds and the days around them, so a
report can read whole months from the month rollup and only the rest from the daily one."""

from dataclasses import dataclass
from datetime import date, timedelta


def month_start(day: date) -> date:
    """The first day of ``day``'s calendar month."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Cut:
    """Whole months ``first_month`` … ``last_month`` (their first days; none when
    ``first_month`` is after ``last_month``) and the day spans (first, last) outside them."""

    first_month: date
    last_month: date
    day_spans: tuple[tuple[date, date], ...]


def cut(first: date, last: date) -> Cut:
    """``first`` … ``last`` (both included) as whole months and the days before and after."""
    first_month = first if first.day == 1 else next_month(first)
    after = last + timedelta(days=1)
    end = after if after.day == 1 else month_start(last)  # the day after the last whole month
    if first_month >= end:
        return Cut(first_month, first_month - timedelta(days=1), ((first, last),))
    spans = []
    if first < first_month:
        spans.append((first, first_month - timedelta(days=1)))
    if end <= last:
        spans.append((end, last))
    last_month = month_start(end - timedelta(days=1))
    return Cut(first_month, last_month, tuple(spans))
