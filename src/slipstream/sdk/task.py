"""`@task`: a typed Python function that the engine runs as one node.

Called outside a workflow body it simply runs. Inside one, it adds a node and returns promises.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import sys
import types
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, overload

from slipstream._core.errors import DefinitionError
from slipstream.graph.spec import Interface
from slipstream.sdk.builder import current_builder
from slipstream.sdk.interface import interface_of, module_name, where
from slipstream.sdk.resources import Cache, Resources, Retry, as_cache, as_retry, as_timeout

F = TypeVar("F", bound=Callable[..., Any])


class Task:
    """A typed function plus how to run it: retries, timeout, cache, resources."""

    kind = "task"

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        cache: bool | Cache = False,
        cache_version: str | None = None,
        retries: int | Retry = 0,
        timeout: timedelta | float | None = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        interruptible: bool = False,
        name: str | None = None,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.module = module_name(fn)
        self.qualname = fn.__qualname__
        self.interface: Interface = interface_of(fn, "task")
        try:
            self.cache = as_cache(cache, cache_version)
            self.retry = as_retry(retries)
            self.timeout = as_timeout(timeout)
        except DefinitionError as exc:
            raise DefinitionError(f"task {self.name} ({where(fn)}): {exc}") from None
        self.requests = requests or Resources()
        self.limits = limits or Resources()
        self.interruptible = interruptible
        self._version: str | None = None
        functools.update_wrapper(self, fn)

    @property
    def ref(self) -> str:
        """Where the code lives: `module:qualname`."""
        return f"{self.module}:{self.qualname}"

    @property
    def location(self) -> str:
        return where(self.fn)

    @property
    def source(self) -> str:
        try:
            return inspect.getsource(self.fn)
        except (OSError, TypeError):
            return self.ref

    @property
    def version(self) -> str:
        """A hash of what the function does: its bytecode, names, constants and defaults (not
        its comments, formatting or line numbers). Changes when the code does."""
        if self._version is None:
            self._version = code_version(self.fn, lambda: self.source)
        return self._version

    @property
    def cache_version(self) -> str:
        """The version part of cache keys: the declared cache version, else the code version."""
        if self.cache is not None and self.cache.version is not None:
            return self.cache.version
        return self.version

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = current_builder()
        if builder is not None:
            return builder.call(self, self.kind, self.interface, self.name, args, kwargs, self.ref)
        return self.run_plain(*args, **kwargs)

    def run_plain(self, *args: Any, **kwargs: Any) -> Any:
        """Outside a workflow: just call the function (with a local context if it takes one)."""
        if self.interface.context_param and self.interface.context_param not in kwargs:
            from slipstream._core.context import RunContext

            kwargs[self.interface.context_param] = RunContext.local(self.name)
        return self.fn(*args, **kwargs)

    def execute(self, inputs: dict[str, Any], context: Any) -> Any:
        """Run the function on materialised inputs (the engine's entry point)."""
        if self.interface.context_param:
            inputs = {**inputs, self.interface.context_param: context}
        return self.fn(**inputs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.ref})"

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickle by reference when the task is importable as module.qualname (process-pool
        and cluster workers import it); by value otherwise (`__main__`, closures)."""
        module_name = self.fn.__module__
        module = sys.modules.get(module_name)
        if module_name != "__main__" and module is not None:
            obj: Any = module
            for part in self.fn.__qualname__.split("."):
                obj = getattr(obj, part, None)
            if obj is self:
                return (_import_task, (module_name, self.fn.__qualname__))
        return super().__reduce_ex__(protocol)


def _import_task(module_name: str, qualname: str) -> Task:
    import importlib

    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[no-any-return]


def code_version(fn: Any, source: Callable[[], str] | None = None) -> str:
    """A hash of what `fn` does: its bytecode, names, constants and defaults (not its comments,
    formatting or line numbers); for an object without code, of `source()` (default: repr)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        text = source() if source is not None else repr(fn)
    else:
        text = _code_fingerprint(code) + "|" + repr(getattr(fn, "__defaults__", None))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _code_fingerprint(code: types.CodeType) -> str:
    """A deterministic text of what a code object does (bytecode, names, constants, nested code);
    unlike `marshal.dumps` it does not vary with reference counts or string-hash order."""
    parts = [code.co_code.hex(), repr(code.co_names), repr(code.co_varnames)]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            parts.append(_code_fingerprint(const))
        elif isinstance(const, frozenset):
            parts.append(repr(sorted(repr(item) for item in const)))
        else:
            parts.append(repr(const))
    return "|".join(parts)


@overload
def task(fn: F, /) -> Task: ...


@overload
def task(
    *,
    cache: bool | Cache = False,
    cache_version: str | None = None,
    retries: int | Retry = 0,
    timeout: timedelta | float | None = None,
    requests: Resources | None = None,
    limits: Resources | None = None,
    interruptible: bool = False,
    name: str | None = None,
) -> Callable[[F], Task]: ...


def task(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Make a typed function a task: `@task` or `@task(cache=True, retries=2, ...)`."""
    if fn is not None:
        return Task(fn, **options)
    return lambda f: Task(f, **options)
