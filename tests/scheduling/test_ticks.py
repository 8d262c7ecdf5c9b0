"""Which ticks fall due: cron in time zones (across DST changes), fixed rates, catch-up
policies, and bad schedules as one clear error. Pure functions of a clock passed in."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.scheduling.ticks import check_schedule, cron, due_ticks, every, next_tick

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def at(zone: dt.tzinfo, *args: int) -> float:
    return dt.datetime(*args, tzinfo=zone).timestamp()


def local(ticks: list[float], zone: dt.tzinfo) -> list[str]:
    return [dt.datetime.fromtimestamp(t, zone).isoformat() for t in ticks]


def test_cron_fires_at_each_matching_minute_up_to_now() -> None:
    schedule = cron("*/15 * * * *")
    start = at(dt.UTC, 2026, 1, 5, 9, 0)
    ticks, last = due_ticks(schedule, start, start + 3600, "all")
    assert local(ticks, dt.UTC) == [f"2026-01-05T09:{m:02d}:00+00:00" for m in (15, 30, 45)] + [
        "2026-01-05T10:00:00+00:00"]
    assert last == start + 3600
    # nothing new is due until the next quarter, which is due exactly on time
    assert due_ticks(schedule, last, last + 899, "all") == ([], last)
    assert due_ticks(schedule, last, last + 900, "all") == ([last + 900], last + 900)


def test_cron_reads_the_schedules_time_zone() -> None:
    paris = cron("0 9 * * *", timezone="Europe/Paris")
    utc = cron("0 9 * * *")
    start = at(dt.UTC, 2026, 1, 5, 0, 0)
    assert due_ticks(paris, start, start + 86400)[0] == [at(dt.UTC, 2026, 1, 5, 8, 0)]
    assert due_ticks(utc, start, start + 86400)[0] == [at(dt.UTC, 2026, 1, 5, 9, 0)]
    summer = at(dt.UTC, 2026, 7, 5, 0, 0)  # CEST: 09:00 Paris is 07:00 UTC
    assert due_ticks(paris, summer, summer + 86400)[0] == [at(dt.UTC, 2026, 7, 5, 7, 0)]


def test_daily_cron_across_spring_forward_fires_once_at_the_next_existing_time() -> None:
    schedule = cron("30 2 * * *", timezone="Europe/Paris")  # 02:30 does not exist on 29 March
    ticks, _ = due_ticks(schedule, at(PARIS, 2026, 3, 27, 12), at(PARIS, 2026, 3, 31, 12), "all")
    assert local(ticks, PARIS) == ["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00",
                                   "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"]


def test_daily_cron_across_fall_back_fires_once() -> None:
    schedule = cron("30 1 * * *", timezone="America/New_York")  # 01:30 happens twice on 1 Nov
    ticks, _ = due_ticks(schedule, at(NEW_YORK, 2026, 10, 31, 12), at(NEW_YORK, 2026, 11, 2, 12),
                         "all")
    assert local(ticks, NEW_YORK) == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]
    assert next_tick(schedule, ticks[0]) == ticks[1]


def test_hourly_cron_in_utc_keeps_every_hour_through_a_dst_change() -> None:
    schedule = cron("0 * * * *")
    start = at(PARIS, 2026, 10, 25, 0, 30)
    ticks, _ = due_ticks(schedule, start, start + 5 * 3600, "all")
    assert [b - a for a, b in itertools.pairwise(ticks)] == [3600.0] * 4
    assert len(ticks) == 5


def test_fixed_rate_counts_intervals_from_its_anchor() -> None:
    schedule = every(minutes=5, anchor=1000.0)
    assert due_ticks(schedule, 1000.0, 1000.0 + 299, "all") == ([], 1000.0)
    assert due_ticks(schedule, 1000.0, 1300.0, "all") == ([1300.0], 1300.0)
    assert due_ticks(schedule, 1000.0, 2000.0, "all") == ([1300.0, 1600.0, 1900.0], 1900.0)
    assert next_tick(schedule, 1300.0) == 1600.0
    assert next_tick(schedule, 0.0) == 1000.0
    assert due_ticks(schedule, 0.0, 999.0, "all") == ([], 0.0)  # before the anchor
    assert every(hours=1, seconds=30).every_seconds == 3630


def test_catch_up_skip_fires_only_the_latest_missed_tick() -> None:
    schedule = every(seconds=10, anchor=0.0)
    assert due_ticks(schedule, 0.0, 95.0, "skip") == ([90.0], 90.0)
    assert due_ticks(schedule, 0.0, 95.0, "all") == ([float(t) for t in range(10, 91, 10)], 90.0)


def test_catch_up_all_is_bounded_to_the_latest_ticks() -> None:
    hourly = every(hours=1, anchor=0.0)
    year = 365 * 86400.0
    ticks, last = due_ticks(hourly, 0.0, year, "all", max_catch_up=100)
    assert len(ticks) == 100 and ticks[-1] == last == year and ticks[0] == year - 99 * 3600
    minutely = cron("* * * * *")
    ticks, _ = due_ticks(minutely, 0.0, year, "all", max_catch_up=50)  # a year missed: cheap
    assert len(ticks) == 50 and ticks[-1] == year


@pytest.mark.parametrize(("schedule", "message"), [
    ("61 * * * *", "cron expression '61 * * * *' is not valid"),
    ("every day", "cron expression 'every day' is not valid"),
    (42, "schedule must be a cron string"),
])
def test_bad_schedules_are_one_clear_error(schedule: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        check_schedule(schedule)


def test_bad_time_zone_rate_and_policy_are_named() -> None:
    with pytest.raises(InvalidInputError, match="unknown time zone 'Mars/Olympus'"):
        cron("0 * * * *", timezone="Mars/Olympus")
    with pytest.raises(InvalidInputError, match=r"at least 1 second, not 0\.5"):
        every(seconds=0.5)
    with pytest.raises(InvalidInputError, match="catch_up must be one of skip, all, not 'some'"):
        due_ticks(every(seconds=10, anchor=0.0), 0.0, 100.0, "some")
