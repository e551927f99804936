"""Working-day arithmetic (工作日): weekends, China's official holidays and make-up days (调休).

Sources, in order of precedence:
1. the administrator's table (core.CalendarDay) — for local decisions and for years the
   chinese-calendar package does not know yet;
2. chinese-calendar — the State Council's published holiday arrangements;
3. for a year neither knows, plain weekends, with a warning to the administrators that the
   year's holidays are missing (a deadline must still compute, it must not crash).
"""

import datetime as dt
import logging

import chinese_calendar
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Answers "is this a working day" for a range, reading the admin table once."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        from .models import CalendarDay

        self._overrides = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day")
        )
        self._start, self._end = start, end
        self.missing_years: set[int] = set()

    def _extend(self, day: dt.date) -> None:
        from .models import CalendarDay

        if day > self._end:
            new_end = day + dt.timedelta(days=366)
            self._overrides.update(
                CalendarDay.objects.filter(date__gt=self._end, date__lte=new_end).values_list("date", "is_working_day")
            )
            self._end = new_end
        elif day < self._start:
            new_start = day - dt.timedelta(days=366)
            self._overrides.update(
                CalendarDay.objects.filter(date__gte=new_start, date__lt=self._start).values_list(
                    "date", "is_working_day"
                )
            )
            self._start = new_start

    def is_working_day(self, day: dt.date) -> bool:
        if not (self._start <= day <= self._end):
            self._extend(day)
        if day in self._overrides:
            return self._overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self.missing_years.add(day.year)
            return day.weekday() < 5


def _warn_missing(years: set[int]) -> None:
    from .models import CalendarYear

    unconfirmed = years - set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    for year in sorted(unconfirmed):
        if cache.add(f"zhibao:missing-holidays:{year}", True, timeout=24 * 3600):
            logger.warning(
                "Holiday arrangement for %s is unknown: deadlines use weekends plus the admin calendar table", year
            )


def is_working_day(day: dt.date) -> bool:
    cal = WorkCalendar(day, day)
    result = cal.is_working_day(day)
    _warn_missing(cal.missing_years)
    return result


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted).

    A time limit of N working days from a notice served on `start` ends on this date.
    Negative `days` counts backwards.
    """
    step = 1 if days >= 0 else -1
    cal = WorkCalendar(start - dt.timedelta(days=10), start + dt.timedelta(days=abs(days) * 2 + 30))
    current, remaining = start, abs(days)
    while remaining:
        current += dt.timedelta(days=step)
        if cal.is_working_day(current):
            remaining -= 1
    _warn_missing(cal.missing_years)
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    cal = WorkCalendar(start, end)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if cal.is_working_day(current):
            count += 1
    _warn_missing(cal.missing_years)
    return count


def is_overdue(deadline: dt.date | None, today: dt.date | None = None) -> bool:
    return deadline is not None and deadline < (today or timezone.localdate())


def missing_holiday_years(horizon_years: int = 1, today: dt.date | None = None) -> list[int]:
    """Years from now to now + horizon whose holidays neither the package nor the admin knows."""
    from .models import CalendarYear

    year = (today or timezone.localdate()).year
    candidates = [y for y in range(year, year + horizon_years + 1) if not _package_knows(y)]
    confirmed = set(CalendarYear.objects.filter(year__in=candidates).values_list("year", flat=True))
    return [y for y in candidates if y not in confirmed]
