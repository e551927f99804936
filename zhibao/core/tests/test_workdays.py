"""Working-day arithmetic across the official holidays and their make-up days (调休).

The expected dates are the State Council's published arrangements (国务院办公厅 holiday
notices for 2025 and 2026), written out by hand here — not read back from the package.
"""

import datetime as dt
import logging

import pytest

from zhibao.core.models import CalendarDay, CalendarYear
from zhibao.core.workdays import (
    add_working_days,
    is_overdue,
    is_working_day,
    missing_holiday_years,
    working_days_between,
)

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 1, 26), True),  # Sunday, make-up day for the 2025 Spring Festival
        (D(2025, 1, 28), False),  # 除夕 eve: Spring Festival holiday 1.28–2.4
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday, make-up day
        (D(2025, 9, 28), True),  # Sunday, make-up for National Day
        (D(2025, 10, 1), False),  # National Day + Mid-autumn 10.1–10.8
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up day
        (D(2026, 2, 14), True),  # Saturday, make-up day before the 2026 Spring Festival
        (D(2026, 2, 15), False),  # Spring Festival 2.15–2.23
        (D(2026, 2, 23), False),
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, make-up day
        (D(2026, 9, 20), True),  # Sunday, make-up for National Day
        (D(2026, 10, 1), False),  # National Day 10.1–10.7
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, make-up day
        (D(2026, 11, 21), False),  # an ordinary Saturday
    ],
)
def test_official_holidays_and_make_up_days(day, working):
    assert is_working_day(day) is working


def test_add_working_days_across_spring_festival_2025():
    # Friday 2025-01-24; next working days: Sun 1.26 (make-up), Mon 1.27, then the holiday
    # until 2.4, then Wed 2.5 …
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert add_working_days(D(2025, 1, 24), 2) == D(2025, 1, 27)
    assert add_working_days(D(2025, 1, 24), 3) == D(2025, 2, 5)
    assert add_working_days(D(2025, 1, 24), 6) == D(2025, 2, 8)  # Sat make-up counts


def test_add_working_days_across_national_day_2026():
    # Tue 2026-09-29: 9.30 is a working day, then 10.1–10.7 off, 10.8 Thu, 10.9 Fri, 10.10 Sat make-up.
    assert add_working_days(D(2026, 9, 29), 1) == D(2026, 9, 30)
    assert add_working_days(D(2026, 9, 29), 2) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 29), 4) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 12)


def test_add_working_days_backwards():
    assert add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)


def test_working_days_between_spring_festival_2026():
    # (2.13, 2.28]: 2.14 make-up, 2.24–2.27 (4), 2.28 make-up → 6
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
    assert working_days_between(D(2026, 2, 28), D(2026, 2, 13)) == -6
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


def test_admin_override_wins_over_the_package():
    CalendarDay.objects.create(date=D(2026, 3, 2), is_working_day=False, name="本地停工")
    assert is_working_day(D(2026, 3, 2)) is False
    assert add_working_days(D(2026, 2, 27), 2) == D(2026, 3, 3)  # 2.28 make-up, skip 3.2


def test_a_year_the_package_does_not_know_still_computes_and_warns(caplog):
    from django.core.cache import cache

    cache.clear()
    # chinese-calendar 1.11 stops at 2026: 2027 falls back to weekends + the admin table.
    assert missing_holiday_years(today=D(2026, 11, 22)) == [2027]
    with caplog.at_level(logging.WARNING, logger="zhibao.core.workdays"):
        assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 4)  # 12.31 Thu, 1.1 Fri, 1.4 Mon
    assert "2027" in caplog.text
    # The admin enters New Year's Day 2027 and confirms the year.
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    CalendarYear.objects.create(year=2027)
    assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 5)
    assert missing_holiday_years(today=D(2026, 11, 22)) == []


def test_overdue():
    assert is_overdue(D(2026, 1, 5), today=D(2026, 1, 6))
    assert not is_overdue(D(2026, 1, 6), today=D(2026, 1, 6))
    assert not is_overdue(None)
