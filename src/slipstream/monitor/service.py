"""`Monitoring`: define monitors, run them (read reference and current data, compare, store
the report, track its figures, fire the trigger), and the firing itself.

A run of monitor M: the reference is M's (a path, or a model URI whose training data set is
found from lineage; for a deployment with none, the training data of the model version its
primary route serves); the current data is what the caller passes, or else M's target (the
deployment's requests sampled in the last `window_seconds`, default 3600, or the data set's
files). With a `model` option (a model URI or folder) and a `label`, the model scores both
samples and the report measures quality decay (the paper's accuracy drop). The report is
stored, and its figures are logged to M's tracking run (experiment
`EXPERIMENT`, one run per monitor, one step per report: `drift.psi.<feature>`,
`drift.ks.<feature>` / `drift.chi2.<feature>` (statistic), `drift.p.<feature>`,
`drift.share`, `drift.detected`, `quality.<metric>`), with the report as the artifact
`drift_reports/<id>.json`. When the report says drift and M names a plan, the trigger fires
unless M fired within its cool-down (`MonitorStore.claim_firing`, race-safe), launching the
plan (`slipstream.scheduling.launch`) with M's plan inputs.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities.monitoring import DriftReport, Monitor, TargetKind, TriggerFiring
from slipstream.metadata.deployments import DeploymentStore
from slipstream.metadata.monitors import MonitorStore, check_monitor, report_to_dict
from slipstream.monitor import sources
from slipstream.monitor.stats import Thresholds, compare

if TYPE_CHECKING:
    import pandas as pd

    from slipstream._core.settings import Settings
    from slipstream.registry.client import RegistryClient
    from slipstream.tracking.client import TrackingClient

EXPERIMENT = "slipstream-monitors"
PREDICTION = "prediction"
MONITOR_TAG = "slipstream.monitor"
#: Monitor options (`Monitor.options`) and what they are.
OPTIONS = {"columns": "features compared (default: the reference's)",
           "categorical": "columns compared as categories", "numeric": "columns compared as numbers",
           "label": "the label column (quality decay)", "prediction": "the prediction column",
           "reference_quality": "the metric's value on the reference (instead of computing it)",
           "model": "a model URI scoring both samples: its predictions on the features become "
                    "the prediction column (with label: quality decay, the paper's trigger)",
           "window_seconds": "how far back a deployment's requests are read (default 3600)",
           "limit": "at most this many sampled requests (default 10000)"}
#: Launches a plan: (plan, inputs, reason) -> execution id.
Launcher = Callable[[str, Mapping[str, Any], str], Any]
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-. :/]")


@dataclass(frozen=True, slots=True)
class MonitorRun:
    """What one run of a monitor did: its report, and the firing when the trigger fired."""

    report: DriftReport
    firing: TriggerFiring | None = None


class Monitoring:
    """Monitors on a monitor store; `registry` finds references from lineage, `deployments`
    reads sampled requests, `tracking` charts the reports, `launcher` launches plans."""

    def __init__(self, store: MonitorStore, *, registry: RegistryClient | None = None,
                 deployments: DeploymentStore | None = None,
                 tracking: TrackingClient | None = None, launcher: Launcher | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.registry = registry
        self.deployments = deployments
        self.tracking = tracking
        self.launcher = launcher
        self.clock = clock
        self._owned: list[Any] = []

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, wait: bool = True,
                      clock: Callable[[], float] = time.time) -> Monitoring:
        """Monitoring on the settings' stores, launching plans through
        `slipstream.scheduling.launch` (waiting for the execution when `wait`)."""
        from slipstream._core.settings import Settings
        from slipstream.metadata.factory import open_monitor_store
        from slipstream.registry.client import RegistryClient
        from slipstream.tracking.client import TrackingClient

        settings = settings or Settings.load()
        registry = RegistryClient.from_settings(settings)
        tracking = TrackingClient(registry.tracking) if registry.tracking is not None else None

        def launch(plan: str, inputs: Mapping[str, Any], reason: str) -> str | None:
            from slipstream.scheduling import launch as launch_plan

            return launch_plan(plan, dict(inputs), reason=reason, wait=wait, settings=settings)

        service = cls(open_monitor_store(settings.store_url), registry=registry,
                      deployments=registry.deployments, tracking=tracking, launcher=launch,
                      clock=clock)
        service._owned = [s for s in (tracking, service.store, registry) if s is not None]
        return service

    def close(self) -> None:
        """Write what tracking queued, and close the clients and stores `from_settings`
        opened (closing the tracking client stops its writer thread)."""
        if self.tracking is not None and self.tracking not in self._owned:
            self.tracking.flush()
        for owned in self._owned:
            owned.close()
        self._owned = []

    def __enter__(self) -> Monitoring:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- definitions ---------------------------------------------------------------------------

    def create(self, name: str, *, deployment: str | None = None, dataset: str | None = None,
               reference: str = "", thresholds: Mapping[str, Any] | None = None,
               plan: str = "", plan_inputs: Mapping[str, Any] | None = None,
               cooldown_seconds: float = 3600.0, **options: Any) -> Monitor:
        """Define monitor `name` watching `deployment` or `dataset` (exactly one); `options`
        are OPTIONS' keys. Thresholds are checked now."""
        if (deployment is None) == (dataset is None):
            raise InvalidInputError(f"monitor {name!r}: watch exactly one of deployment= or "
                                    "dataset=")
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise InvalidInputError(f"unknown monitor option(s) {unknown}; known: "
                                    f"{sorted(OPTIONS)}")
        Thresholds.from_mapping(thresholds)
        kind = TargetKind.DEPLOYMENT if deployment is not None else TargetKind.DATASET
        monitor = check_monitor(Monitor(
            name=name, target_kind=kind.value, target=str(deployment or dataset),
            reference=reference, thresholds=dict(thresholds or {}), options=dict(options),
            plan=plan, plan_inputs=dict(plan_inputs or {}),
            cooldown_seconds=float(cooldown_seconds), created_at=self.clock()))
        if deployment is not None and self.deployments is not None:
            self.deployments.get_deployment(deployment)  # NotFoundError now, not at the first run
        return self.store.create_monitor(monitor)

    # -- runs ----------------------------------------------------------------------------------

    def run(self, name: str, current: Any = None, *, since_ms: int | None = None,
            until_ms: int | None = None) -> MonitorRun:
        """Run monitor `name` once (see the module doc); `current` (a DataFrame, dict of
        columns or file paths) replaces its target's data; `since_ms` / `until_ms` the
        window of a deployment's requests."""
        monitor = self.store.get_monitor(name)
        options = monitor.options
        reference, reference_name = self.reference(monitor)
        if current is not None:
            current_frame, current_name = sources.read_data(current, "current")
        else:
            current_frame, current_name = self.current(monitor, since_ms, until_ms)
        if options.get("model"):
            reference, current_frame = self._scored(monitor, reference, current_frame)
        report = compare(
            reference, current_frame, columns=options.get("columns"),
            categorical=options.get("categorical") or (),
            numeric=options.get("numeric") or (), label=options.get("label"),
            prediction=options.get("prediction") or (PREDICTION if options.get("model")
                                                     else None),
            reference_quality=options.get("reference_quality"),
            thresholds=monitor.thresholds, reference_name=reference_name,
            current_name=current_name, monitor=name)
        report = dataclasses.replace(report, created_at=self.clock())
        if self.tracking is not None:
            report = dataclasses.replace(report, run_id=self._track(monitor, report))
        self.store.add_report(report)
        firing = self.fire(monitor, report) if report.drifted and monitor.plan else None
        return MonitorRun(report, firing)

    def reference(self, monitor: Monitor) -> tuple[pd.DataFrame, str]:
        """The monitor's reference data and its description."""
        ref = monitor.reference
        if ref.startswith(("models:", "runs:")):
            return sources.training_reference(ref, self._registry(monitor))
        if ref:
            return sources.read_data(ref, "reference")
        return sources.deployment_reference(monitor.target, self._deployments(monitor),
                                            self._registry(monitor))

    def current(self, monitor: Monitor, since_ms: int | None = None,
                until_ms: int | None = None) -> tuple[pd.DataFrame, str]:
        """The monitor's current data: its data set's files, or its deployment's requests."""
        if monitor.target_kind == TargetKind.DATASET:
            return sources.read_data(monitor.target, "current")
        if since_ms is None:
            window = float(monitor.options.get("window_seconds", 3600))
            since_ms = int((self.clock() - window) * 1000)
        return sources.deployment_frame(self._deployments(monitor), monitor.target,
                                        since_ms=since_ms, until_ms=until_ms,
                                        limit=int(monitor.options.get("limit", 10_000)))

    def _scored(self, monitor: Monitor, reference: pd.DataFrame,
                current: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Both samples with the monitor's model's predictions on their features (the
        reference's columns less the label and prediction) as the prediction column."""
        import numpy as np

        from slipstream.models.folder import load_pyfunc_folder
        from slipstream.models.uris import download_model, resolve_model_uri

        options = monitor.options
        label, column = options.get("label"), options.get("prediction") or PREDICTION
        if not label:
            raise InvalidInputError(f"monitor {monitor.name!r}: scoring with a model needs "
                                    "the label column (label=...) to measure quality")
        features = options.get("columns") or [c for c in reference.columns
                                              if c not in (label, column)]
        model = load_pyfunc_folder(download_model(resolve_model_uri(
            str(options["model"]), registry=self.registry), server_side=True))
        scored = []
        for what, frame in (("reference", reference), ("current", current)):
            missing = [c for c in [*features, label] if c not in frame.columns]
            if missing:
                raise InvalidInputError(f"column(s) {missing} are not in the {what} data: the "
                                        f"model scores {features} against {label!r}")
            predicted = np.asarray(model.predict(frame[features]))
            scored.append(frame.assign(**{column: predicted.reshape(len(frame), -1)[:, 0]}))
        return scored[0], scored[1]

    # -- the trigger ---------------------------------------------------------------------------

    def fire(self, monitor: Monitor, report: DriftReport) -> TriggerFiring | None:
        """Launch the monitor's plan for `report` unless it fired within its cool-down (then
        None). The firing is claimed in the store first, so racing monitor processes launch
        once; a launch that fails is recorded on the firing (the cool-down still runs: a
        broken plan is not retried on every report)."""
        firing = self.store.claim_firing(monitor.name, report.report_id, now=self.clock())
        if firing is None:
            return None
        if self.launcher is None:
            return self.store.finish_firing(firing.firing_id, error="no launcher configured")
        drifted = ", ".join(report.drifted_features) or "none"
        reason = (f"drift on {monitor.target_kind} {monitor.target} (monitor {monitor.name}, "
                  f"report {report.report_id}; drifted features: {drifted})")
        try:
            execution_id = self.launcher(monitor.plan, monitor.plan_inputs, reason)
        except Exception as exc:  # recorded on the firing, then raised to the caller
            self.store.finish_firing(firing.firing_id, error=f"{type(exc).__name__}: {exc}")
            raise
        return self.store.finish_firing(firing.firing_id, execution_id=execution_id or "")

    # -- tracking ------------------------------------------------------------------------------

    def _track(self, monitor: Monitor, report: DriftReport) -> str:
        assert self.tracking is not None
        client = self.tracking
        run_id = monitor.run_id
        if not run_id:
            experiment = client.get_experiment_by_name(EXPERIMENT)
            experiment_id = (experiment.experiment_id if experiment is not None
                             else client.create_experiment(EXPERIMENT))
            run = client.create_run(experiment_id, run_name=monitor.name,
                                    tags={MONITOR_TAG: monitor.name})
            run_id = run.info.run_id
            client.log_params(run_id, {"target": f"{monitor.target_kind}:{monitor.target}",
                                       "reference": monitor.reference or "lineage"})
            client.end_run(run_id)
            self.store.set_monitor_run(monitor.name, run_id)
        step = len(self.store.list_reports(monitor.name, limit=10_000))
        client.log_metrics(run_id, report_metrics(report), step=step,
                           timestamp=int(report.created_at * 1000))
        client.log_dict(run_id, report_to_dict(dataclasses.replace(report, run_id=run_id)),
                        f"drift_reports/{report.report_id}.json")
        client.flush(run_id)
        return run_id

    def _registry(self, monitor: Monitor) -> RegistryClient:
        if self.registry is None:
            raise InvalidInputError(f"monitor {monitor.name!r}: finding the reference from "
                                    "lineage needs the model registry")
        return self.registry

    def _deployments(self, monitor: Monitor) -> DeploymentStore:
        if self.deployments is None:
            raise InvalidInputError(f"monitor {monitor.name!r}: reading deployment "
                                    f"{monitor.target!r} needs the deployment store")
        return self.deployments


def report_metrics(report: DriftReport) -> dict[str, float]:
    """The figures a report charts (see the module doc); feature names made metric-safe."""
    metrics = {"drift.share": report.drifted_share, "drift.detected": float(report.drifted)}
    for feature in report.features:
        key = _UNSAFE.sub("_", feature.feature)
        for test in feature.tests:
            metrics[f"drift.{test.name}.{key}"] = test.statistic
            if test.p_value is not None:
                metrics[f"drift.p.{key}"] = test.p_value
    if report.quality is not None:
        metrics[f"quality.{report.quality.metric}"] = report.quality.current
        metrics[f"quality.{report.quality.metric}.drop"] = report.quality.drop
    return metrics
