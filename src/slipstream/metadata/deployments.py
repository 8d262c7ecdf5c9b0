"""The deployment store interface: deployments routing traffic between a primary model and at
most one canary, the audit trail of every change, and what their servers report (sampled
prediction logs, per-version request statistics).

A deployment's name is unique: 1-128 letters, digits, `_`, `.` and `-` (it appears in URLs).
Its targets are a "primary" and optionally a "canary"; their percentages add to 100. Model
URIs are checked by form only (`models:/name/N`, `models:/name@alias`, `models:/m-…`,
`runs:/RUN_ID/path`): the server resolves them. Every change bumps `revision` by exactly one
(also when several processes change one deployment at once) and records a `DeploymentEvent`;
a change that would leave the targets as they are is not a change and records nothing. Passing
`expected_revision` makes a change conditional: RevisionConflictError if another came first.
Bad input raises InvalidInputError and writes nothing; unknown names raise NotFoundError.

The transitions themselves (`canary_targets`, `traffic_targets`, `promoted_targets`,
`rollback_targets`) are pure functions here, so every implementation moves the same way.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence

from slipstream._core.errors import InvalidInputError
from slipstream.entities.deployments import (
    CANARY,
    PRIMARY,
    Deployment,
    DeploymentEvent,
    DeploymentEventKind,
    DeploymentStatus,
    DeploymentTarget,
    PredictionRecord,
    VersionStats,
)
from slipstream.metadata.registry import check_alias, check_model_name, check_version

MAX_DEPLOYMENT_NAME_LENGTH = 128
MAX_PREDICTIONS_PAGE = 10_000
MAX_TEXT_FIELD = 512
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_RUN_ID = re.compile(r"^[A-Za-z0-9][\w\-]{0,255}$")
_LOGGED_MODEL_ID = re.compile(r"^m-[A-Za-z0-9]{1,64}$")
_URI_FORMS = ("models:/NAME/VERSION, models:/NAME@ALIAS, models:/m-ID or runs:/RUN_ID/PATH")


class AlreadyDeployedError(InvalidInputError):
    """A deployment with this name exists already."""


class RevisionConflictError(InvalidInputError):
    """A conditional change (`expected_revision`) lost to another change made first."""


class DeploymentStore(ABC):
    """Persistence for deployments, their history, prediction logs and version statistics."""

    # -- deployments --------------------------------------------------------------------------

    @abstractmethod
    def create_deployment(self, name: str, targets: Sequence[DeploymentTarget], *,
                          description: str = "", user_id: str = "") -> Deployment:
        """A new deployment at revision 1 (event CREATED); AlreadyDeployedError if the name is
        taken."""

    @abstractmethod
    def get_deployment(self, name: str) -> Deployment:
        """One deployment with its current targets (cheap: servers poll it every second)."""

    @abstractmethod
    def list_deployments(self) -> list[Deployment]:
        """Every deployment, by name."""

    @abstractmethod
    def delete_deployment(self, name: str) -> None:
        """Delete the deployment with its history, prediction logs and statistics."""

    @abstractmethod
    def start_canary(self, name: str, model_uri: str, traffic_percent: float, *,
                     user_id: str = "", expected_revision: int | None = None) -> Deployment:
        """Add a canary taking `traffic_percent` of requests (the primary keeps the rest)."""

    @abstractmethod
    def set_traffic(self, name: str, canary_percent: float, *, user_id: str = "",
                    expected_revision: int | None = None) -> Deployment:
        """Give the canary `canary_percent` of requests and the primary the rest."""

    @abstractmethod
    def promote(self, name: str, *, user_id: str = "",
                expected_revision: int | None = None) -> Deployment:
        """The canary becomes the primary at 100%; the old primary is dropped (it stays in the
        history, so `rollback` can restore it)."""

    @abstractmethod
    def rollback(self, name: str, *, user_id: str = "",
                 expected_revision: int | None = None) -> Deployment:
        """Remove the canary, the primary back at 100%; without a canary, undo the latest
        promote not yet undone (the primary before it, at 100%)."""

    @abstractmethod
    def get_deployment_history(self, name: str) -> list[DeploymentEvent]:
        """Every change to the deployment, oldest first."""

    # -- what servers report ------------------------------------------------------------------

    @abstractmethod
    def log_predictions(self, records: Sequence[PredictionRecord],
                        stats: Sequence[VersionStats] = ()) -> None:
        """Append sampled prediction records and add request statistics to the per-version
        totals (kept per minute, so they can be read for a time range), in one transaction."""

    @abstractmethod
    def search_predictions(self, name: str, *, since_ms: int | None = None,
                           until_ms: int | None = None, label: str | None = None,
                           limit: int = 100) -> list[PredictionRecord]:
        """Logged predictions of a deployment with `since_ms <= timestamp_ms < until_ms`
        (optionally of one route), newest first, at most `limit` (1-10,000)."""

    @abstractmethod
    def get_version_stats(self, name: str, *, since_ms: int | None = None) -> list[VersionStats]:
        """Request totals per (route label, model version) of a deployment, from the minute
        holding `since_ms` (default: all), primary first."""


# -- checks -----------------------------------------------------------------------------------

def check_deployment_name(name: object) -> str:
    """1-128 letters, digits, `_`, `.` and `-`, starting with a letter or digit."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInputError(f"Invalid deployment name {name!r:.100}: use letters, digits, "
                                "'_', '.' and '-', starting with a letter or digit.")
    if len(name) > MAX_DEPLOYMENT_NAME_LENGTH:
        raise InvalidInputError(f"Deployment name {name[:40]!r}... is {len(name)} characters "
                                f"long; the limit is {MAX_DEPLOYMENT_NAME_LENGTH}.")
    return name


def check_model_uri(uri: object) -> str:
    """A model URI of a form a deployment can serve (checked by form, not resolved)."""
    if not isinstance(uri, str):
        raise InvalidInputError(f"Invalid model URI {uri!r:.100}: expected {_URI_FORMS}.")
    try:
        _check_uri_form(uri)
    except InvalidInputError as exc:
        raise InvalidInputError(f"Invalid model URI {uri!r:.200}: {exc} Expected "
                                f"{_URI_FORMS}.") from None
    return uri


def _check_uri_form(uri: str) -> None:
    if uri.startswith("runs:/"):
        run_id, _, path = uri[len("runs:/"):].partition("/")
        if not _RUN_ID.match(run_id) or not path.strip("/"):
            raise InvalidInputError("a runs:/ URI names a run id and a path in it.")
        return
    if not uri.startswith("models:/"):
        raise InvalidInputError("it is neither a models:/ nor a runs:/ URI.")
    rest = uri[len("models:/"):]
    if _LOGGED_MODEL_ID.match(rest):
        return
    if "@" in rest:
        name, _, alias = rest.rpartition("@")
        check_model_name(name)
        check_alias(alias)
        return
    name, slash, version = rest.rpartition("/")
    if not slash:
        raise InvalidInputError("a models:/ URI names a version (/N) or an alias (@alias).")
    check_model_name(name)
    check_version(version)


def check_percent(value: object, what: str) -> float:
    """A finite number from 0 to 100 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or not 0 <= value <= 100:
        raise InvalidInputError(f"Invalid {what} {value!r:.50}: it must be a number from 0 "
                                "to 100.")
    return float(value)


def check_targets(targets: Sequence[DeploymentTarget]) -> tuple[DeploymentTarget, ...]:
    """A primary first, then at most a canary serving another URI; percentages add to 100."""
    given = tuple(targets)
    for target in given:
        if not isinstance(target, DeploymentTarget):
            raise InvalidInputError(f"Invalid deployment target {target!r:.100}: expected a "
                                    "DeploymentTarget(label, model_uri, traffic_percent).")
    labels = [t.label for t in given]
    if labels not in ([PRIMARY], [PRIMARY, CANARY]):
        raise InvalidInputError(f"Invalid deployment targets labelled {labels}: a deployment "
                                f"has a {PRIMARY!r} target, then optionally a {CANARY!r}.")
    checked = tuple(DeploymentTarget(t.label, check_model_uri(t.model_uri),
                                     check_percent(t.traffic_percent,
                                                   f"traffic percent of {t.label!r}"))
                    for t in given)
    total = sum(t.traffic_percent for t in checked)
    if not math.isclose(total, 100.0, abs_tol=1e-6):
        shares = ", ".join(f"{t.label} {t.traffic_percent:g}%" for t in checked)
        raise InvalidInputError(f"Traffic percentages add to {total:g}, not 100 ({shares}).")
    if len(checked) == 2 and checked[0].model_uri == checked[1].model_uri:
        raise InvalidInputError(f"The canary serves the primary's model {checked[0].model_uri!r}"
                                ": give the canary another version.")
    return checked


def initial_targets(model_uri: str, canary_uri: str | None = None,
                    canary_percent: float | None = None) -> list[DeploymentTarget]:
    """A new deployment's targets: the primary, and a canary taking `canary_percent` of the
    requests when both canary arguments are given (one without the other is refused)."""
    if (canary_uri is None) != (canary_percent is None):
        raise InvalidInputError("A canary needs both its model URI and its share of requests "
                                "in percent (give both or neither).")
    share = check_percent(canary_percent, "canary traffic") if canary_percent is not None else 0.0
    targets = [DeploymentTarget(PRIMARY, model_uri, 100.0 - share)]
    if canary_uri is not None:
        targets.append(DeploymentTarget(CANARY, canary_uri, share))
    return targets


def check_expected_revision(deployment: Deployment, expected: int | None) -> None:
    """RevisionConflictError unless `expected` is None or the deployment's revision."""
    if expected is not None and expected != deployment.revision:
        raise RevisionConflictError(
            f"Deployment {deployment.name!r} is at revision {deployment.revision}, not "
            f"{expected}: another change came first; read it again and retry.")


def status_of(targets: Sequence[DeploymentTarget]) -> str:
    """CANARY when a canary is among the targets, else STABLE."""
    return (DeploymentStatus.CANARY if any(t.label == CANARY for t in targets)
            else DeploymentStatus.STABLE).value


# -- transitions ------------------------------------------------------------------------------

Transition = tuple[DeploymentEventKind, tuple[DeploymentTarget, ...]]


def canary_targets(deployment: Deployment, model_uri: str, percent: float) -> Transition:
    """A canary at `percent` beside the primary (refused when there is one already)."""
    if deployment.canary is not None:
        raise InvalidInputError(f"Deployment {deployment.name!r} already has a canary "
                                f"({deployment.canary.model_uri}): promote or roll it back "
                                "first.")
    percent = check_percent(percent, "canary traffic percent")
    primary = deployment.primary
    return DeploymentEventKind.CANARY_STARTED, check_targets([
        DeploymentTarget(PRIMARY, primary.model_uri, 100.0 - percent),
        DeploymentTarget(CANARY, model_uri, percent)])


def traffic_targets(deployment: Deployment, canary_percent: float) -> Transition:
    """The canary at `canary_percent`, the primary at the rest."""
    canary = _require_canary(deployment, "set its traffic")
    percent = check_percent(canary_percent, "canary traffic percent")
    return DeploymentEventKind.TRAFFIC_CHANGED, (
        DeploymentTarget(PRIMARY, deployment.primary.model_uri, 100.0 - percent),
        DeploymentTarget(CANARY, canary.model_uri, percent))


def promoted_targets(deployment: Deployment) -> Transition:
    """The canary's model as the primary at 100%."""
    canary = _require_canary(deployment, "promote")
    return DeploymentEventKind.PROMOTED, (DeploymentTarget(PRIMARY, canary.model_uri, 100.0),)


def rollback_targets(deployment: Deployment, history: Sequence[DeploymentEvent]) -> Transition:
    """Without the canary; or, with none, the primary before the latest promote not already
    rolled back (promotes undo like a stack: two rollbacks undo two promotes)."""
    if deployment.canary is not None:
        return DeploymentEventKind.ROLLED_BACK, (
            DeploymentTarget(PRIMARY, deployment.primary.model_uri, 100.0),)
    undone: list[DeploymentEvent] = []
    for event in history:
        if event.kind == DeploymentEventKind.PROMOTED:
            undone.append(event)
        elif event.kind == DeploymentEventKind.PROMOTION_ROLLED_BACK and undone:
            undone.pop()
    previous = next((t for t in undone[-1].before if t.label == PRIMARY), None) if undone \
        else None
    if previous is None:
        raise InvalidInputError(f"Nothing to roll back in deployment {deployment.name!r}: it "
                                "has no canary and no promote left to undo.")
    return DeploymentEventKind.PROMOTION_ROLLED_BACK, (
        DeploymentTarget(PRIMARY, previous.model_uri, 100.0),)


def _require_canary(deployment: Deployment, action: str) -> DeploymentTarget:
    if deployment.canary is None:
        raise InvalidInputError(f"Deployment {deployment.name!r} has no canary to {action}: "
                                "start one first (slipstream deploy canary NAME --model URI "
                                "--traffic PCT).")
    return deployment.canary


# -- reported records -------------------------------------------------------------------------

def check_prediction(record: PredictionRecord) -> PredictionRecord:
    """A record with text fields within bounds, integer timestamp and status, finite latency."""
    _check_reported(record.deployment, record.label, record.model_version, record.request_id)
    if not _is_int(record.timestamp_ms) or not _is_int(record.status):
        raise InvalidInputError(f"Prediction record {record.request_id!r:.80}: timestamp_ms "
                                "and status must be integers.")
    _check_latency(record.latency_ms, f"prediction record {record.request_id!r:.80}")
    return record


def check_stats(stats: VersionStats) -> VersionStats:
    """Non-negative integer counts (errors at most requests), finite latencies, a time range."""
    _check_reported(stats.deployment, stats.label, stats.model_version)
    what = f"version stats of {stats.deployment}/{stats.label}/{stats.model_version}"
    counts = (stats.requests, stats.errors, stats.since_ms, stats.until_ms)
    if not all(_is_int(v) and v >= 0 for v in counts) or stats.errors > stats.requests \
            or stats.since_ms > stats.until_ms:
        raise InvalidInputError(f"Invalid {what}: requests, errors, since_ms and until_ms must "
                                "be non-negative integers, errors <= requests and "
                                "since_ms <= until_ms.")
    _check_latency(stats.latency_ms_sum, what)
    _check_latency(stats.latency_ms_max, what)
    return stats


def _check_reported(deployment: str, label: str, model_version: str, *rest: str) -> None:
    check_deployment_name(deployment)
    for value in (label, model_version, *rest):
        if not isinstance(value, str) or not value or len(value) > MAX_TEXT_FIELD:
            raise InvalidInputError(f"Invalid label, model version or request id {value!r:.80} "
                                    f"from deployment {deployment!r}: a non-empty string of at "
                                    f"most {MAX_TEXT_FIELD} characters.")


def _check_latency(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or value < 0:
        raise InvalidInputError(f"Invalid latency {value!r:.40} in {what}: a finite number of "
                                "milliseconds, not negative.")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
