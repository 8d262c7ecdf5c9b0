"""The schedule store interface: launch plans and their launches (`slipstream.scheduling`
drives them; the server's /api/v1/launch-plans reads and changes them).

A launch plan binds one registered workflow version to fixed inputs (a launch cannot change
them) and default inputs (a launch may override them), optionally on a schedule (a cron
expression in a time zone, or a fixed rate) with a catch-up policy for missed ticks, and
optionally a webhook notified when its executions end. Inputs are stored as literal maps
(the execution store's encoding), so the store never needs the workflow's code.

A launch is one row per execution a plan started: a scheduled tick (kind "schedule", keyed
by the tick's time) or a run-now / trigger (kind "manual", keyed by when it was asked for).
`claim_ticks` inserts a plan's due ticks and moves its `last_tick` in one transaction, only
when `last_tick` is still what the caller read: two schedulers that computed the same ticks
cannot both claim them (and the (plan, kind, tick time) key refuses a tick claimed twice).
Each call is one transaction; bad input raises InvalidInputError and writes nothing; unknown
plans raise NotFoundError.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from slipstream._core.errors import InvalidInputError

MAX_PLAN_NAME_LENGTH = 256
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
CATCH_UP_POLICIES = ("skip", "all")
#: The most missed ticks a plan with catch_up="all" fires at once (the latest ones).
DEFAULT_MAX_CATCH_UP = 100


class PlanState(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"


class LaunchStatus(StrEnum):
    CLAIMED = "CLAIMED"      # claimed, its execution not started yet
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"        # the execution failed
    ERROR = "ERROR"          # the launch itself failed (e.g. the workflow's code is gone)


class LaunchKind(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"


class PlanExistsError(InvalidInputError):
    """A launch plan with this name exists already (with other settings)."""


@dataclass(frozen=True)
class Schedule:
    """When a plan fires: `cron` (five fields, or six with seconds) in `timezone`, or every
    `every_seconds` seconds counted from `anchor` (epoch seconds; default: when the plan was
    created). Exactly one of `cron` and `every_seconds` is set."""

    cron: str = ""
    timezone: str = "UTC"
    every_seconds: float | None = None
    anchor: float | None = None

    def to_json(self) -> dict[str, Any]:
        if self.cron:
            return {"cron": self.cron, "timezone": self.timezone}
        return {"every_seconds": self.every_seconds, "anchor": self.anchor}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Schedule:
        if data.get("cron"):
            return cls(cron=str(data["cron"]), timezone=str(data.get("timezone") or "UTC"))
        return cls(every_seconds=data.get("every_seconds"), anchor=data.get("anchor"))

    def describe(self) -> str:
        if self.cron:
            return f"cron {self.cron!r} ({self.timezone})"
        return f"every {_seconds_text(self.every_seconds or 0)}"


@dataclass(frozen=True)
class Notify:
    """A webhook POSTed a JSON payload when an execution of the plan ends with one of `on`."""

    url: str
    on: tuple[str, ...] = ("SUCCEEDED", "FAILED")
    timeout_seconds: float = 5.0
    retries: int = 3

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "on": list(self.on), "timeout_seconds": self.timeout_seconds,
                "retries": self.retries}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notify:
        return cls(url=str(data["url"]), on=tuple(data.get("on") or ("SUCCEEDED", "FAILED")),
                   timeout_seconds=float(data.get("timeout_seconds", 5.0)),
                   retries=int(data.get("retries", 3)))


@dataclass(frozen=True)
class LaunchPlanRecord:
    """A stored launch plan; `fixed_inputs` / `default_inputs` are literal maps."""

    name: str
    workflow_name: str
    workflow_version: str
    source_ref: str
    fixed_inputs: dict[str, Any] = field(default_factory=dict)
    default_inputs: dict[str, Any] = field(default_factory=dict)
    schedule: Schedule | None = None
    catch_up: str = "skip"
    state: str = PlanState.ACTIVE
    last_tick: float | None = None
    notify: Notify | None = None
    executor: str = ""
    description: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(frozen=True)
class Launch:
    """One execution a plan started (or is starting): a tick or a run-now."""

    plan_name: str
    kind: str
    tick_at: float
    claimed_at: float
    claimed_by: str
    reason: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    status: str = LaunchStatus.CLAIMED
    execution_id: str | None = None
    error: str = ""
    ended_at: float | None = None


class ScheduleStore(ABC):
    """Persistence for launch plans and their launches."""

    @abstractmethod
    def create_plan(self, plan: LaunchPlanRecord, *, replace: bool = False) -> LaunchPlanRecord:
        """Store a new plan; PlanExistsError if the name is taken, unless `replace` (its
        settings are replaced, its state, last tick and launches kept)."""

    @abstractmethod
    def get_plan(self, name: str) -> LaunchPlanRecord:
        """A plan by name."""

    @abstractmethod
    def list_plans(self, *, state: str | None = None) -> list[LaunchPlanRecord]:
        """Every plan (only those in `state` when given), by name."""

    @abstractmethod
    def set_state(self, name: str, state: str, *, at: float) -> LaunchPlanRecord:
        """Pause or resume a plan. Resuming moves its last tick to `at`: ticks missed while
        it was paused never fire."""

    @abstractmethod
    def delete_plan(self, name: str) -> None:
        """Delete a plan with its launches (their executions stay)."""

    @abstractmethod
    def claim_ticks(self, name: str, ticks: Sequence[float], *, expected_last_tick: float | None,
                    last_tick: float, claimed_by: str, claimed_at: float) -> list[Launch]:
        """Claim scheduled `ticks` of an ACTIVE plan and set its last tick to `last_tick`, in
        one transaction, only if its last tick is still `expected_last_tick` (else nothing:
        another scheduler got there first). The launches claimed (CLAIMED, kind "schedule");
        a tick claimed before is not claimed again."""

    @abstractmethod
    def add_launch(self, name: str, *, at: float, claimed_by: str, reason: str = "",
                   inputs: Mapping[str, Any] | None = None) -> Launch:
        """A run-now or triggered launch (kind "manual") of the plan, CLAIMED."""

    @abstractmethod
    def update_launch(self, launch: Launch, *, status: str, execution_id: str | None = None,
                      error: str | None = None, ended_at: float | None = None) -> Launch:
        """Change a launch's status (and what else is given); the launch as it now is."""

    @abstractmethod
    def list_launches(self, name: str, *, limit: int = 50) -> list[Launch]:
        """A plan's launches, newest claim first."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


# -- checks shared by every implementation ----------------------------------------------------

def check_plan_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > MAX_PLAN_NAME_LENGTH \
            or not _NAME.match(name):
        raise InvalidInputError(
            f"launch plan name {name!r:.300} is not valid: use 1-{MAX_PLAN_NAME_LENGTH} letters, "
            "digits, '_', '.' or '-' (starting with a letter, digit or '_')")
    return name


def check_catch_up(policy: str) -> str:
    if policy not in CATCH_UP_POLICIES:
        raise InvalidInputError(f"catch_up must be one of {', '.join(CATCH_UP_POLICIES)}, not "
                                f"{policy!r}")
    return policy


def check_state(state: str) -> str:
    if state not in PlanState.__members__:
        raise InvalidInputError(f"launch plan state must be ACTIVE or PAUSED, not {state!r}")
    return state


def check_notify(notify: Notify) -> Notify:
    if not isinstance(notify.url, str) or not notify.url.startswith(("http://", "https://")):
        raise InvalidInputError(f"notify url must be an http:// or https:// URL, not "
                                f"{notify.url!r:.200}")
    for status in notify.on:
        if status not in ("SUCCEEDED", "FAILED"):
            raise InvalidInputError(f"notify on must list SUCCEEDED and/or FAILED, not "
                                    f"{status!r}")
    if not finite(notify.timeout_seconds) or notify.timeout_seconds <= 0:
        raise InvalidInputError(f"notify timeout_seconds must be > 0, not "
                                f"{notify.timeout_seconds!r}")
    if not isinstance(notify.retries, int) or isinstance(notify.retries, bool) \
            or not 0 <= notify.retries <= 10:
        raise InvalidInputError(f"notify retries must be an integer 0-10, not {notify.retries!r}")
    return notify


def check_launch_status(status: str) -> str:
    if status not in LaunchStatus.__members__:
        raise InvalidInputError(f"launch status {status!r} is not one of "
                                f"{', '.join(LaunchStatus)}")
    return status


def finite(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _seconds_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
