"""From a task's `Resources` to Ray's task options, and whether any node of a cluster can
satisfy them (a request no node can satisfy would otherwise wait forever).

Quantities read like Kubernetes ones: CPU as `2`, `0.5` or `500m`; memory as bytes or with
a suffix (`512Mi`, `1Gi`, `1G`, `100M`, `1k`). Requests win over limits; a task that gives
neither asks for Ray's default of one CPU.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from slipstream._core.errors import DefinitionError
from slipstream.sdk.resources import Resources

_SUFFIXES = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_QUANTITY = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*$")

_NONE = Resources()

RETRIES_WHEN_INTERRUPTED = 3
"""How often Ray re-runs an `interruptible` task whose worker or node died."""


def cpu_amount(value: str | float | int, task: str) -> float:
    """`2`, `0.5`, `"1"`, `"500m"` -> CPUs."""
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        raise DefinitionError(f"task {task!r}: cpu={value!r} is not a CPU amount; use a number "
                              "such as 2 or 0.5, or millicores such as '500m'") from None


def byte_amount(value: str | int, task: str, what: str = "mem") -> int:
    """`1073741824`, `"1Gi"`, `"512Mi"`, `"1G"` -> bytes."""
    if isinstance(value, int):
        return value
    match = _QUANTITY.match(value)
    if match is None or match.group(2) not in _SUFFIXES:
        raise DefinitionError(f"task {task!r}: {what}={value!r} is not an amount of memory; use "
                              f"bytes or a suffix of {', '.join(s for s in _SUFFIXES if s)}")
    return int(float(match.group(1)) * _SUFFIXES[match.group(2)])


def ray_options(task: Any) -> dict[str, Any]:
    """The `ray.remote(...).options(...)` that run one call of `task` (a task, or anything
    that runs like one, such as a tuning trial: missing knobs mean none)."""
    requests = getattr(task, "requests", None) or _NONE
    limits = getattr(task, "limits", None) or _NONE
    cpu = requests.cpu if requests.cpu is not None else limits.cpu
    mem = requests.mem if requests.mem is not None else limits.mem
    gpu = requests.gpu if requests.gpu is not None else limits.gpu
    custom = {**limits.custom, **requests.custom}
    options: dict[str, Any] = {
        "max_retries": RETRIES_WHEN_INTERRUPTED if getattr(task, "interruptible", False) else 0,
        "retry_exceptions": False,  # a task's own errors are retried by its Retry policy
        "name": task.name,
    }
    if cpu is not None:
        options["num_cpus"] = cpu_amount(cpu, task.name)
    if mem is not None:
        options["memory"] = byte_amount(mem, task.name)
    if gpu is not None:
        options["num_gpus"] = cpu_amount(gpu, task.name)
    if custom:
        options["resources"] = {name: float(amount) for name, amount in custom.items()}
    return options


def demand(options: Mapping[str, Any]) -> dict[str, float]:
    """The resources a task with these options holds while it runs, named as Ray names them."""
    wanted = {"CPU": float(options.get("num_cpus", 1.0))}
    if options.get("memory"):
        wanted["memory"] = float(options["memory"])
    if options.get("num_gpus"):
        wanted["GPU"] = float(options["num_gpus"])
    wanted.update(options.get("resources", {}))
    return {name: amount for name, amount in wanted.items() if amount > 0}


def unsatisfiable(wanted: Mapping[str, float],
                  nodes: Iterable[Mapping[str, float]]) -> str | None:
    """None if some node has every resource in `wanted`; else why not, for an error message."""
    nodes = list(nodes)
    if any(all(node.get(name, 0.0) >= amount for name, amount in wanted.items())
           for node in nodes):
        return None
    if not nodes:
        return "the cluster has no live node"
    offers = "; ".join(
        ", ".join(f"{name}={_show(name, node.get(name, 0.0))}" for name in wanted)
        for node in nodes)
    asked = ", ".join(f"{name}={_show(name, amount)}" for name, amount in wanted.items())
    return f"it requests {asked} but no node of the cluster has that much (nodes: {offers})"


def _show(name: str, amount: float) -> str:
    if name in ("memory", "object_store_memory"):
        return f"{amount / 2**30:.3g}Gi"
    return f"{amount:g}"


__all__ = ["byte_amount", "cpu_amount", "demand", "ray_options", "unsatisfiable"]
