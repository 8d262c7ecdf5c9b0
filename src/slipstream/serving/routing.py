"""The models a server answers with: a `Served` model version per route (its loaded model, its
schema and its micro-batcher), a `Router` that splits requests between routes by percentage
(smooth weighted round-robin: over any 100 requests a 10% route gets 10, give or take one), and
a `TargetWatcher` that follows a `TargetSource` from a background thread: it re-resolves every
target's URI each poll, loads what changed off the event loop, then swaps the router in one
assignment. Requests hold the `Served` they started on, so a swap never fails one in flight."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slipstream.serving.batching import Batcher
from slipstream.serving.config import ServingConfig
from slipstream.serving.fastpath import predictor
from slipstream.serving.metrics import Metrics
from slipstream.serving.targets import TargetSource, check_targets

log = logging.getLogger("slipstream.serving")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A target's URI resolved now: where the model folder is and which version it is."""

    label: str
    traffic_percent: float
    uri: str
    artifact_uri: str
    version: str  # "churn/3", or the logged model / run id when unregistered
    name: str | None  # the registered model's name, if any
    number: int | None  # the registry version number, if any
    #: models.uris.ResolvedModel (how to fetch the folder, e.g. through a tracking server)
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(eq=False, slots=True)
class Served:
    """One route's model version, loaded."""

    label: str
    resolved: Resolved
    model: Any  # a PyFuncModel
    batcher: Batcher
    input_schema: Any
    output_names: tuple[str, ...]
    #: (b"x-model-version", ...) and (b"x-slipstream-target", ...): the answers' headers
    version_header: tuple[bytes, bytes] = field(init=False)
    label_header: tuple[bytes, bytes] = field(init=False)

    def __post_init__(self) -> None:
        self.version_header = (b"x-model-version", self.resolved.version.encode())
        self.label_header = (b"x-slipstream-target", self.label.encode())

    @property
    def version(self) -> str:
        return self.resolved.version


@dataclass(eq=False, slots=True)
class _Route:
    served: Served
    weight: float
    current: float = 0.0


@dataclass(eq=False)
class Router:
    """The routes in force; `pick()` chooses the one answering the next request."""

    routes: Sequence[tuple[Served, float]]
    _routes: list[_Route] = field(init=False)

    def __post_init__(self) -> None:
        self._routes = [_Route(s, w) for s, w in self.routes if w > 0] or [
            _Route(self.routes[0][0], 100.0)]
        self._total = sum(r.weight for r in self._routes)

    @property
    def served(self) -> list[Served]:
        return [s for s, _ in self.routes]

    def pick(self) -> Served:
        routes = self._routes
        if len(routes) == 1:
            return routes[0].served
        best = routes[0]
        for route in routes:
            route.current += route.weight
            if route.current > best.current:
                best = route
        best.current -= self._total
        return best.served

    def find(self, version: str) -> Served | None:
        """The route whose registry version number, version label or route label is `version`."""
        for served in self.served:
            r = served.resolved
            if version in (r.version, served.label) or (r.number is not None
                                                        and version == str(r.number)):
                return served
        return None


def resolve_targets(source: TargetSource,
                    known: Mapping[str, Any] | None = None) -> tuple[Resolved, ...]:
    """The source's targets with each URI resolved now (an alias to the version it points at),
    except those `known` maps to a ResolvedModel already."""
    from slipstream.models.uris import resolve_model_uri

    out = []
    for target in check_targets(source.current()):
        resolved = (known or {}).get(target.model_uri) or resolve_model_uri(target.model_uri)
        out.append(Resolved(target.label, float(target.traffic_percent), target.model_uri,
                            str(resolved.artifact_uri), version_label(resolved),
                            resolved.name, resolved.version, resolved))
    return tuple(out)


def version_label(resolved: Any) -> str:
    """"name/3" for a registry version, else the logged model's id, the run's id, or the
    folder's URI."""
    if resolved.name and resolved.version is not None:
        return f"{resolved.name}/{resolved.version}"
    return str(resolved.model_id or resolved.run_id or resolved.artifact_uri)


def _load(r: Resolved) -> Any:
    """The PyFuncModel of a resolved target (fetched as resolved, without resolving again)."""
    if r.source is None:
        from slipstream.models import load_pyfunc

        return load_pyfunc(r.artifact_uri)
    from slipstream.models.folder import load_pyfunc_folder
    from slipstream.models.uris import download_model

    return load_pyfunc_folder(download_model(r.source))


class TargetWatcher:
    """Loads the source's models and keeps the router in step with it (see the module doc)."""

    def __init__(self, source: TargetSource, config: ServingConfig, metrics: Metrics,
                 on_swap: Callable[[Router], None],
                 known: Mapping[str, Any] | None = None) -> None:
        self._source = source
        self._known = dict(known or {})  # URI -> ResolvedModel, for the first refresh only
        self._config = config
        self._metrics = metrics
        self._on_swap = on_swap
        self._current: tuple[Resolved, ...] = ()
        self._served: dict[tuple[str, str], Served] = {}  # (label, artifact_uri) -> Served
        self._models: dict[str, Any] = {}  # artifact_uri -> loaded model
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_failure = ""

    def refresh(self) -> bool:
        """Resolve the targets; when anything changed, load what is new and swap. True if it
        swapped. Raises when the targets cannot be resolved or a model cannot be loaded (the
        router in force stays)."""
        resolved = resolve_targets(self._source, self._known)
        self._known = {}
        if resolved == self._current:
            return False
        models = {}
        for r in resolved:
            model = self._models.get(r.artifact_uri)
            if model is None:
                model = _load(r)
                self._metrics.loads.inc((("version", r.version),))
            models[r.artifact_uri] = model
        served = {}
        routes = []
        for r in resolved:
            key = (r.label, r.artifact_uri)
            item = self._served.get(key)
            if item is None or item.resolved.version != r.version:
                item = self._make_served(r, models[r.artifact_uri])
            served[key] = item
            routes.append((item, r.traffic_percent))
        router = Router(routes)
        self._models, self._served, self._current = models, served, resolved
        self._metrics.serving._values.clear()
        for r in resolved:
            self._metrics.serving.set((("target", r.label), ("version", r.version)), 1)
        self._on_swap(router)
        if len(resolved) > 1 or any(r.label != "primary" for r in resolved):
            log.info("serving %s", ", ".join(f"{r.label}={r.version} ({r.traffic_percent:g}%)"
                                             for r in resolved))
        return True

    def _make_served(self, r: Resolved, model: Any) -> Served:
        config, metrics = self._config, self._metrics

        def observe(size: int, seconds: float, label: str = r.label,
                    version: str = r.version) -> None:
            metrics.batch(label, version, size, seconds)

        signature = getattr(model, "signature", None)
        inputs = getattr(signature, "inputs", None)
        outputs = getattr(signature, "outputs", None)
        names = tuple(str(s.name) for s in outputs.inputs if s.name) if outputs is not None else ()
        batcher = Batcher(predictor(model), max_batch_size=config.max_batch_size,
                          max_wait_ms=config.max_wait_ms, max_queue=config.max_queue,
                          observe=observe)
        return Served(r.label, r, model, batcher, inputs, names)

    def start(self) -> None:
        """Poll in a daemon thread every `poll_interval` seconds (0: never)."""
        if self._thread is not None or self._config.poll_interval <= 0:
            return
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name="slipstream-serving-watcher")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._config.poll_interval):
            try:
                self.refresh()
                self._last_failure = ""
            except Exception as exc:  # keep serving what is loaded; try again next poll
                why = f"{type(exc).__name__}: {exc}"
                if why != self._last_failure:  # once per distinct failure, not every poll
                    log.warning("could not refresh the served models (still serving %s): %s",
                                ", ".join(r.version for r in self._current), why)
                self._last_failure = why
