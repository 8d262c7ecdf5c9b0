"""`DeploymentTargets`: a `TargetSource` reading a deployment's current targets from the
deployment store, so a running server follows `deploy traffic`, `promote` and `rollback` within
its poll interval.

One read per poll (the deployment row and its targets, by primary key). When the store cannot
be read after the first success, the last targets read stay in force (the server keeps serving)
and a warning is logged once per outage; the first read's errors are raised, so a server on an
unknown deployment fails to start.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slipstream.entities.deployments import Deployment
from slipstream.metadata.deployments import DeploymentStore, check_deployment_name
from slipstream.serving.targets import ServingTarget, TargetSource

log = logging.getLogger("slipstream.serving")


class DeploymentTargets(TargetSource):
    """The targets of deployment `name` in `store`, read on every `current()` call."""

    def __init__(self, store: DeploymentStore, name: str) -> None:
        self._store = store
        self._name = check_deployment_name(name)
        self._revision: int | None = None
        self._targets: tuple[ServingTarget, ...] = ()
        self._failing = False

    @property
    def revision(self) -> int | None:
        """The revision of the targets last read (None before the first read)."""
        return self._revision

    def current(self) -> Sequence[ServingTarget]:
        try:
            deployment = self._store.get_deployment(self._name)
        except Exception as exc:
            if self._revision is None:
                raise
            if not self._failing:
                log.warning("cannot read deployment %r (still serving revision %d): %s",
                            self._name, self._revision, exc)
                self._failing = True
            return self._targets
        if self._failing:
            log.warning("deployment %r readable again", self._name)
            self._failing = False
        if deployment.revision != self._revision:
            self._targets = serving_targets(deployment)
            self._revision = deployment.revision
        return self._targets


def serving_targets(deployment: Deployment) -> tuple[ServingTarget, ...]:
    """A deployment's targets as the server's `ServingTarget`s (same labels, URIs, shares)."""
    return tuple(ServingTarget(t.label, t.model_uri, t.traffic_percent)
                 for t in deployment.targets)


def open_deployment_targets(url: str, name: str) -> DeploymentTargets:
    """`DeploymentTargets` on the store at `url` (a module-level factory: it pickles into
    worker processes as `functools.partial(open_deployment_targets, url, name)`)."""
    from slipstream.metadata.factory import open_deployment_store

    return DeploymentTargets(open_deployment_store(url), name)
