"""Workflows the CLI tests run through `slipstream run tests/cli/cli_flows.py:NAME`.

Loaded by file path in a subprocess (so process-pool workers import it as `cli_flows`); side
effects that must cross processes (the switch `gate` reads) go through files in `folder`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import slipstream as ss
from slipstream import map_task, task, workflow


@task
def describe(n_rows: int, ratio: float, name: str, verbose: bool, shuffle: bool,
             weights: list[float]) -> str:
    return (f"n_rows={n_rows} ratio={ratio} name={name} verbose={verbose} shuffle={shuffle} "
            f"weights={weights}")


@workflow
def typed(n_rows: int, weights: list[float], ratio: float = 0.5, name: str = "plain",
          verbose: bool = False, shuffle: bool = True) -> str:
    """Echoes every input so a test can see how the command line was parsed."""
    return describe(n_rows=n_rows, ratio=ratio, name=name, verbose=verbose, shuffle=shuffle,
                    weights=weights)


@task
def step(x: int) -> int:
    return x + 1


@task
def gate(x: int, folder: str) -> int:
    """Fails while `folder/broken` exists."""
    if (Path(folder) / "broken").exists():
        raise RuntimeError("the gate is broken (remove the switch file)")
    return x * 10


@workflow
def switchable(x: int, folder: str) -> int:
    """n0 step -> n1 step -> n2 gate (fails while folder/broken exists) -> n3 step."""
    a = step(x=x)
    b = step(x=a)
    return step(x=gate(x=b, folder=folder))


@task
def square(x: int) -> int:
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@workflow
def squares(xs: list[int]) -> int:
    """n0 map of square over xs -> n1 total."""
    return total(xs=map_task(square)(x=xs))


@task
def pad(n: int) -> str:
    return "x" * n


@workflow
def padded(n: int = 100_000) -> str:
    """A string larger than the inline limit, so it lands in the artifact store."""
    return pad(n=n)



@task
def fit(c: float) -> int:
    ss.log_param("C", c)
    ss.log_metric("acc", 0.5 + c / 10)
    return round(c)


@workflow
def tracked(c: float = 1.0) -> int:
    """n0 logs to its node's run; n1 logs nothing."""
    return step(x=fit(c=c))


@task
def shout(word: str) -> str:
    print(f"shouting {word}")
    logging.getLogger("cli_flows").warning("%s is loud", word)
    return word.upper()


@workflow
def loud(word: str = "hey") -> str:
    """n0 prints and logs a warning."""
    return shout(word=word)


NOT_A_WORKFLOW = 3
