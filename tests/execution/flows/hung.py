"""A task that would sleep far past its timeout."""

from __future__ import annotations

import time

from slipstream import task, workflow


@task(timeout=0.5)
def sleep_forever(seconds: float) -> int:
    time.sleep(seconds)
    return 1


@task
def never_after(x: int) -> int:
    return x


@workflow
def hung(seconds: float = 30.0) -> int:
    return never_after(x=sleep_forever(seconds=seconds))
