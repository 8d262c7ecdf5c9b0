"""Slipstream runs examples/retraining.py itself: this script only imports it, calls the workflow
and reports the same JSON line as the other tools.

SLIPSTREAM_HOME is set by the parent (benchmarks/run.py) to a fresh folder per measured run.
With --cache-all every `@task` and `@dynamic` is declared cache=True, cache_version="bench" (the cached re-run
benchmark); tasks that declare their own caching (`load`) keep it.

The retrain+tune time (see _bench.py) needs the ends of the `drifted` and `best` task bodies;
examples/retraining.py is benchmarked as it is, so `slipstream.task` is wrapped before the example
is loaded: those two functions get a `_bench.mark(name)` after their body (functools.wraps keeps
the name, signature, type hints and source Slipstream reads).
"""

# ruff: noqa: I001  (import order is deliberate: _bench starts the import clock)

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bench  # first: starts the import clock
import functools
import importlib.util
import time

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "retraining.py"


def _cache_every_task() -> None:
    """Make `from slipstream import task, dynamic` hand out decorators that default to caching
    (flyte_retraining.py declares the same on every @task and the @dynamic)."""
    import slipstream

    def cached(original):  # type: ignore[no-untyped-def]
        def decorator(_fn=None, /, **kwargs):  # type: ignore[no-untyped-def]
            kwargs.setdefault("cache", True)
            kwargs.setdefault("cache_version", "bench")
            return original(**kwargs) if _fn is None else original(_fn, **kwargs)

        return decorator

    slipstream.task = cached(slipstream.task)
    slipstream.dynamic = cached(slipstream.dynamic)


def _mark_task_ends() -> None:
    """Make `from slipstream import task` mark the end of the `drifted` and `best` bodies."""
    import slipstream

    original = slipstream.task

    def marked(fn):  # type: ignore[no-untyped-def]
        if fn.__name__ not in (_bench.RETRAIN_FROM, _bench.RETRAIN_TO):
            return fn

        @functools.wraps(fn)
        def body(*args, **kwargs):  # type: ignore[no-untyped-def]
            out = fn(*args, **kwargs)
            _bench.mark(fn.__name__)
            return out

        return body

    def decorator(_fn=None, /, **kwargs):  # type: ignore[no-untyped-def]
        if _fn is None:
            return lambda fn: original(marked(fn), **kwargs)
        return original(marked(_fn), **kwargs)

    slipstream.task = decorator


def _load_example():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("retraining", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["retraining"] = module
    spec.loader.exec_module(module)
    return module


CACHE_ALL = "--cache-all" in sys.argv
_mark_task_ends()
if CACHE_ALL:
    _cache_every_task()
example = _load_example()
IMPORT_S = time.perf_counter() - _bench.START


def main() -> None:
    args = _bench.parse_args(__doc__ or "")
    start = time.perf_counter()
    result = example.retrain(threshold=_bench.THRESHOLD, seed=_bench.SEED, **_bench.VARIANTS[args.variant])
    call_s = time.perf_counter() - start
    _bench.emit(args, "slipstream", float(result), IMPORT_S, call_s, cache_all=CACHE_ALL)


if __name__ == "__main__":
    main()
