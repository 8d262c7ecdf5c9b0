"""Schedules and their ticks: `cron(...)` and `every(...)` build a `Schedule`; `due_ticks` says
which ticks of a schedule fall due between the last one considered and now, under a catch-up
policy. Pure functions of their arguments (the clock is passed in), so tests need no sleeping.

Cron expressions are croniter's (five fields, or six with seconds last) read in the
schedule's IANA time zone, so "0 9 * * *" in Europe/Paris fires at 09:00 Paris time in winter
and summer alike. On a spring-forward day a time that does not exist fires at the first
existing time after it; on a fall-back day, a wall-clock time that exists twice fires at its
first occurrence only (even for an hourly expression: use timezone "UTC" for strictly periodic
schedules). Fixed rates count whole intervals from the schedule's anchor (by default
when the plan was created).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.schedules import DEFAULT_MAX_CATCH_UP, Schedule, check_catch_up, finite

#: The shortest fixed rate (a scheduler polls about once a second).
MIN_RATE_SECONDS = 1.0


def cron(expression: str, timezone: str = "UTC") -> Schedule:
    """A cron schedule, e.g. `cron("0 3 * * *", timezone="Europe/Paris")`."""
    return check_schedule(Schedule(cron=expression, timezone=timezone))


def every(*, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0,
          anchor: float | None = None) -> Schedule:
    """A fixed rate, e.g. `every(minutes=5)`; ticks at `anchor` + k intervals (epoch seconds;
    default: when the plan is created)."""
    total = seconds + 60 * minutes + 3600 * hours + 86400 * days
    return check_schedule(Schedule(every_seconds=total, anchor=anchor))


def check_schedule(schedule: Any) -> Schedule:
    """`schedule` when well formed; a cron string is taken as `cron(schedule)`.
    InvalidInputError naming what is wrong otherwise."""
    if isinstance(schedule, str):
        schedule = Schedule(cron=schedule)
    if not isinstance(schedule, Schedule):
        raise InvalidInputError(f"schedule must be a cron string, cron(...) or every(...), not "
                                f"{schedule!r:.100}")
    if schedule.cron and schedule.every_seconds is not None:
        raise InvalidInputError("a schedule is a cron expression or a fixed rate, not both")
    if schedule.cron:
        _zone(schedule.timezone)
        from croniter import croniter

        if not isinstance(schedule.cron, str) or not croniter.is_valid(schedule.cron):
            raise InvalidInputError(
                f"cron expression {schedule.cron!r} is not valid: use five fields (minute hour "
                "day-of-month month day-of-week), e.g. '*/15 * * * *' or '0 3 * * mon-fri'")
        return schedule
    rate = schedule.every_seconds
    if not finite(rate) or rate < MIN_RATE_SECONDS:  # type: ignore[operator]
        raise InvalidInputError(f"a fixed rate must be at least {MIN_RATE_SECONDS:g} second, "
                                f"not {rate!r}")
    if schedule.anchor is not None and (not finite(schedule.anchor) or schedule.anchor < 0):
        raise InvalidInputError(f"anchor must be epoch seconds, not {schedule.anchor!r}")
    return schedule


def due_ticks(schedule: Schedule, after: float, now: float, catch_up: str = "skip",
              max_catch_up: int = DEFAULT_MAX_CATCH_UP) -> tuple[list[float], float]:
    """The ticks to fire now, oldest first, and the new last tick considered: of the ticks in
    (`after`, `now`], "skip" fires only the latest, "all" fires each (at most `max_catch_up`,
    the latest ones). ([], after) when none is due."""
    check_catch_up(catch_up)
    limit = 1 if catch_up == "skip" else max(1, max_catch_up)
    ticks = _ticks_back(schedule, after, now, limit)
    if not ticks:
        return [], after
    return sorted(ticks), max(ticks)


def next_tick(schedule: Schedule, after: float) -> float:
    """The first tick strictly after `after`."""
    if schedule.cron:
        from croniter import croniter

        zone = _zone(schedule.timezone)
        it = croniter(schedule.cron, dt.datetime.fromtimestamp(after, zone))
        tick = float(it.get_next(float))
        while _repeated(tick, zone):
            tick = float(it.get_next(float))
        return tick
    rate, anchor = _rate(schedule)
    k = math.floor((after - anchor) / rate) + 1
    return anchor + max(k, 0) * rate


def _ticks_back(schedule: Schedule, after: float, now: float, limit: int) -> list[float]:
    """Up to `limit` ticks in (after, now], walking back from now (so a long outage costs
    `limit` steps, not one per missed tick)."""
    if now <= after:
        return []
    if schedule.cron:
        from croniter import croniter

        zone = _zone(schedule.timezone)
        # croniter's get_prev from `now` excludes now itself: start just after it.
        it = croniter(schedule.cron, dt.datetime.fromtimestamp(now + 0.001, zone))
        out: list[float] = []
        while len(out) < limit:
            tick = float(it.get_prev(float))
            if tick <= after:
                break
            if tick <= now and (not out or tick < out[-1]) and not _repeated(tick, zone):
                out.append(tick)
        return out
    rate, anchor = _rate(schedule)
    if now < anchor:
        return []
    last = math.floor((now - anchor) / rate)
    out = []
    for k in range(last, max(last - limit, -1), -1):
        tick = anchor + k * rate
        if tick <= after:
            break
        out.append(tick)
    return out


def _repeated(tick: float, zone: dt.tzinfo) -> bool:
    """True for the second occurrence of a wall-clock time (the hour a fall-back repeats)."""
    local = dt.datetime.fromtimestamp(tick, zone)
    return local.fold == 1 and local.replace(fold=0).timestamp() != tick


def _rate(schedule: Schedule) -> tuple[float, float]:
    if schedule.every_seconds is None or schedule.anchor is None:
        raise InvalidInputError("a fixed-rate schedule needs its interval and anchor")
    return float(schedule.every_seconds), float(schedule.anchor)


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"time zone must be an IANA name like 'Europe/Paris', not "
                                f"{name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"unknown time zone {name!r}: use an IANA name like "
                                "'Europe/Paris' or 'UTC'") from None
