"""The workflow the crash-safety tests kill: two parallel branches, a map, a cached task and a
task that fails its first attempt and succeeds on retry. Every call appends one line,
`<task> <key>`, to `<folder>/calls`, so a test can tell which calls ran after a kill.
One output is large enough to be an artifact. Tasks sleep a few ms so a kill lands mid-run."""

from __future__ import annotations

import time
from pathlib import Path

from slipstream import map_task, task, workflow
from slipstream.sdk.resources import Retry

PAUSE = 0.004


def called(folder: str, name: str, key: object = "") -> None:
    """Record one call (append-only, one line per call; safe across processes)."""
    with (Path(folder) / "calls").open("a") as f:
        f.write(f"{name} {key}\n")
    time.sleep(PAUSE)


def calls(folder: str) -> list[str]:
    """The task names of every call recorded so far, in order."""
    path = Path(folder) / "calls"
    return [line.split(" ", 1)[0] for line in path.read_text().splitlines()] if path.exists() else []


@task
def prepare(n: int, folder: str) -> list[int]:
    called(folder, "prepare")
    return list(range(n))


@task
def left(xs: list[int], folder: str) -> int:
    called(folder, "left")
    return sum(xs)


@task
def right(xs: list[int], folder: str) -> int:
    called(folder, "right")
    return max(xs)


@task
def spread(xs: list[int], folder: str) -> list[str]:
    """The folder once per item, for the map (a partial binds constants only)."""
    called(folder, "spread")
    return [folder] * len(xs)


@task
def square(x: int, folder: str) -> int:
    called(folder, "square", x)
    return x * x


@task(cache=True, cache_version="1")
def cached_total(xs: list[int], folder: str) -> int:
    called(folder, "cached_total")
    return sum(xs)


@task(retries=Retry(retries=2, backoff=0.0))
def flaky(a: int, b: int, folder: str) -> int:
    """Fails the first time it is ever called for this folder, succeeds after."""
    called(folder, "flaky")
    flag = Path(folder) / "flaky-failed-once"
    if not flag.exists():
        flag.touch()
        raise RuntimeError("first attempt fails (by design)")
    return a + b


NOTE_SIZE = 70_000


@task
def describe(xs: list[int], folder: str) -> str:
    """An output too large to keep inline: stored as an artifact."""
    called(folder, "describe")
    return f"{len(xs)},".ljust(NOTE_SIZE, "x")


@task
def join(a: int, b: int, c: int, note: str, folder: str) -> int:
    called(folder, "join")
    return a + b + c + len(note)


@workflow
def crashable(n: int, folder: str) -> int:
    """prepare -> (left | right | spread -> map square -> cached_total);
    flaky(left, right); describe (an artifact output); join(flaky, cached_total, left, describe)."""
    xs = prepare(n=n, folder=folder)
    a = left(xs=xs, folder=folder)
    b = right(xs=xs, folder=folder)
    squares = map_task(square)(x=xs, folder=spread(xs=xs, folder=folder))
    total = cached_total(xs=squares, folder=folder)
    f = flaky(a=a, b=b, folder=folder)
    note = describe(xs=xs, folder=folder)
    return join(a=f, b=total, c=a, note=note, folder=folder)


def expected(n: int) -> int:
    """What `crashable(n, ...)` returns."""
    xs = list(range(n))
    return sum(xs) + max(xs) + sum(x * x for x in xs) + sum(xs) + NOTE_SIZE
