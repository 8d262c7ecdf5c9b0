"""MLflow 3 logged models in SQL (SQLAlchemy Core on a connection the store opened and commits):
creating, finalizing, tagging, deleting, searching, and the run outputs / model inputs linking
runs to them."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities.tracking import (
    LifecycleStage,
    LoggedModel,
    LoggedModelStatus,
    ModelOutput,
    Param,
    RunTag,
)
from slipstream.metadata.sql import tables
from slipstream.metadata.sql.rows import numeric_id
from slipstream.metadata.sql.tracking_experiments import (
    decode_token,
    encode_token,
    experiment_location,
    insert_dialect,
    require_active,
)
from slipstream.metadata.sql.tracking_metrics import metric_from_row
from slipstream.metadata.sql.tracking_runs import require_active_run
from slipstream.metadata.validation import check_param, check_tag

_M = tables.logged_models.c
_MM = tables.logged_model_metrics.c
_NAME_WORDS = ("amber", "brisk", "cedar", "dune", "ember", "fjord", "grove", "harbor", "iris")


def create(conn: Connection, experiment_id: str, name: str | None, source_run_id: str | None,
           model_type: str | None, params: Mapping[str, str], tags: Mapping[str, str],
           artifact_root: str, now: int) -> str:
    """A PENDING model in an active experiment; returns its id (`m-` + 32 hex)."""
    experiment = require_active(conn, experiment_id)
    if source_run_id:
        require_active_run(conn, source_run_id)
    model_id = f"m-{uuid.uuid4().hex}"
    conn.execute(tables.logged_models.insert().values(
        model_id=model_id, experiment_id=int(experiment.experiment_id),
        name=name or _generated_name(),
        artifact_uri=f"{experiment_location(experiment, artifact_root)}/models/{model_id}/artifacts",
        status=LoggedModelStatus.PENDING.value, status_message=None, creation_timestamp=now,
        last_updated_timestamp=now, source_run_id=source_run_id or None,
        model_type=model_type or None, lifecycle_stage=LifecycleStage.ACTIVE.value))
    log_params(conn, model_id, params)
    set_tags(conn, model_id, tags, now)
    return model_id


def get(conn: Connection, model_id: str, allow_deleted: bool = False) -> LoggedModel:
    found = load(conn, [model_id])
    if not found or (found[0].lifecycle_stage != LifecycleStage.ACTIVE.value
                     and not allow_deleted):
        raise NotFoundError(f"Logged model with ID '{model_id}' not found.")
    return found[0]


def require_active_model(conn: Connection, model_id: str) -> None:
    get(conn, model_id)


def finalize(conn: Connection, model_id: str, status: str, now: int) -> None:
    require_active_model(conn, model_id)
    conn.execute(tables.logged_models.update().where(_M.model_id == model_id)
                 .values(status=status, last_updated_timestamp=now))


def set_tags(conn: Connection, model_id: str, tags: Mapping[str, str], now: int) -> None:
    if not tags:
        return
    require_active_model(conn, model_id)
    for key, value in tags.items():
        check_tag(RunTag(key, value))
    insert = insert_dialect(conn)
    for key, value in tags.items():
        stmt = insert(tables.logged_model_tags).values(model_id=model_id, key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["model_id", "key"],
                                                set_={"value": stmt.excluded.value}))
    conn.execute(tables.logged_models.update().where(_M.model_id == model_id)
                 .values(last_updated_timestamp=now))


def delete_tag(conn: Connection, model_id: str, key: str) -> None:
    require_active_model(conn, model_id)
    t = tables.logged_model_tags.c
    deleted = conn.execute(tables.logged_model_tags.delete().where(t.model_id == model_id,
                                                                   t.key == key))
    if deleted.rowcount == 0:
        raise NotFoundError(f"No tag with key {key!r} on logged model {model_id!r}.")


def log_params(conn: Connection, model_id: str, params: Mapping[str, str]) -> None:
    """Params keep their first value, as run params do (the same value again is fine)."""
    if not params:
        return
    require_active_model(conn, model_id)
    for key, value in params.items():
        check_param(Param(key, value))
    p = tables.logged_model_params.c
    stored = dict(conn.execute(sa.select(p.key, p.value).where(p.model_id == model_id)).all())
    for key, value in params.items():
        if key in stored and stored[key] != value:
            raise InvalidInputError(
                f"Changing param values is not allowed. Param with key={key!r} was already "
                f"logged with value={stored[key]!r:.300} for logged model {model_id!r}.")
    new = [{"model_id": model_id, "key": k, "value": v} for k, v in params.items()
           if k not in stored]
    if new:
        conn.execute(tables.logged_model_params.insert(), new)


def delete(conn: Connection, model_id: str, now: int) -> None:
    require_active_model(conn, model_id)
    conn.execute(tables.logged_models.update().where(_M.model_id == model_id).values(
        lifecycle_stage=LifecycleStage.DELETED.value, last_updated_timestamp=now))


def search(conn: Connection, experiment_ids: Sequence[str], filter_string: str,
           datasets: Sequence[tuple[str, str | None]], max_results: int,
           order_by: Sequence[tuple[str, bool]],
           page_token: str | None) -> tuple[list[LoggedModel], str | None]:
    """Active models of the experiments matching the filter; `datasets` (name, digest or
    None) restrict metric clauses to points on those datasets; `order_by` is (field,
    ascending) pairs, then newest first."""
    from slipstream.metadata.sql import keyed_search
    from slipstream.protocol.search import LOGGED_MODELS, OrderBy, parse_order_by

    if not experiment_ids:
        raise InvalidInputError("search_logged_models needs at least one experiment id.")
    target = _target(datasets)
    orders = []
    for field_name, ascending in order_by:
        parsed = parse_order_by(field_name, LOGGED_MODELS)
        orders.append(OrderBy(parsed.entity, parsed.key, ascending))
    offset = decode_token(page_token)
    query = (sa.select(_M.model_id)
             .where(_M.experiment_id.in_([numeric_id(e) for e in experiment_ids]),
                    _M.lifecycle_stage == LifecycleStage.ACTIVE.value,
                    *keyed_search.compile_filter(target, filter_string))
             .order_by(*keyed_search.compile_order_bys(target, orders),
                       _M.creation_timestamp.desc(), _M.model_id)
             .limit(max_results + 1).offset(offset))
    found = list(conn.execute(query).scalars())
    following = encode_token(offset + max_results) if len(found) > max_results else None
    return load(conn, found[:max_results]), following


def log_outputs(conn: Connection, run_id: str, outputs: Sequence[ModelOutput]) -> None:
    require_active_run(conn, run_id)
    _require_models(conn, [o.model_id for o in outputs])
    insert = insert_dialect(conn)
    for output in outputs:
        conn.execute(insert(tables.run_outputs).values(
            run_id=run_id, model_id=output.model_id, step=int(output.step),
        ).on_conflict_do_nothing())


def log_model_inputs(conn: Connection, run_id: str, model_ids: Sequence[str]) -> None:
    require_active_run(conn, run_id)
    _require_models(conn, model_ids)
    insert = insert_dialect(conn)
    for model_id in model_ids:
        conn.execute(insert(tables.run_model_inputs).values(run_id=run_id, model_id=model_id)
                     .on_conflict_do_nothing())


def load(conn: Connection, model_ids: Sequence[str]) -> list[LoggedModel]:
    """The models with these ids that exist (any stage), in the order given."""
    if not model_ids:
        return []
    ids = list(model_ids)
    keyed: dict[str, dict[str, dict[str, str]]] = {"tags": {}, "params": {}}
    for name, table in (("tags", tables.logged_model_tags),
                        ("params", tables.logged_model_params)):
        c = table.c
        for model_id, key, value in conn.execute(
                sa.select(c.model_id, c.key, c.value).where(c.model_id.in_(ids))):
            keyed[name].setdefault(model_id, {})[key] = value
    metrics: dict[str, list[Any]] = {}
    for row in conn.execute(sa.select(tables.logged_model_metrics).where(_MM.model_id.in_(ids))
                            .order_by(_MM.key, _MM.step, _MM.timestamp)):
        point = metric_from_row(row.key, row.value, row.is_nan, row.timestamp, row.step)
        metrics.setdefault(row.model_id, []).append(type(point)(
            point.key, point.value, point.timestamp, point.step, row.model_id,
            row.dataset_name, row.dataset_digest, row.run_id))
    out = {}
    for r in conn.execute(sa.select(tables.logged_models).where(_M.model_id.in_(ids))):
        out[r.model_id] = LoggedModel(
            r.model_id, str(r.experiment_id), r.name, r.artifact_uri, r.status,
            r.creation_timestamp, r.last_updated_timestamp, r.source_run_id, r.model_type,
            r.status_message, r.lifecycle_stage, keyed["tags"].get(r.model_id, {}),
            keyed["params"].get(r.model_id, {}), tuple(metrics.get(r.model_id, ())))
    return [out[m] for m in ids if m in out]


def run_links(conn: Connection, run_ids: Sequence[str]) -> tuple[dict[str, list[ModelOutput]],
                                                                  dict[str, list[str]]]:
    """Per run: its model outputs (by step, model id) and the ids of its model inputs."""
    outputs: dict[str, list[ModelOutput]] = {}
    o = tables.run_outputs.c
    for run_id, model_id, step in conn.execute(
            sa.select(o.run_id, o.model_id, o.step).where(o.run_id.in_(list(run_ids)))
            .order_by(o.step, o.model_id)).all():
        outputs.setdefault(run_id, []).append(ModelOutput(model_id, int(step)))
    inputs: dict[str, list[str]] = {}
    i = tables.run_model_inputs.c
    for run_id, model_id in conn.execute(
            sa.select(i.run_id, i.model_id).where(i.run_id.in_(list(run_ids)))
            .order_by(i.model_id)).all():
        inputs.setdefault(run_id, []).append(model_id)
    return outputs, inputs


def _require_models(conn: Connection, model_ids: Sequence[str]) -> None:
    wanted = set(model_ids)
    found = set(conn.execute(sa.select(_M.model_id).where(_M.model_id.in_(list(wanted))))
                .scalars())
    missing = sorted(wanted - found)
    if missing:
        raise NotFoundError(f"Logged model with ID '{missing[0]}' not found.")


def _target(datasets: Sequence[tuple[str, str | None]]) -> Any:
    from slipstream.metadata.sql.keyed_search import Target
    from slipstream.protocol.search import LOGGED_MODELS, Entity

    metrics: Any = tables.logged_model_metrics
    if datasets:
        on = sa.or_(*[sa.and_(_MM.dataset_name == name,
                              *([_MM.dataset_digest == digest] if digest else []))
                      for name, digest in datasets])
        metrics = sa.select(tables.logged_model_metrics).where(on).subquery("scoped_metrics")
    attributes = {name: _M[name] for name in LOGGED_MODELS.order_by_attributes}
    return Target(LOGGED_MODELS, _M.model_id, attributes, {
        Entity.TAG: (tables.logged_model_tags, tables.logged_model_tags.c.model_id),
        Entity.PARAM: (tables.logged_model_params, tables.logged_model_params.c.model_id),
        Entity.METRIC: (metrics, metrics.c.model_id)})


def _generated_name() -> str:
    return f"{secrets.choice(_NAME_WORDS)}-model-{secrets.randbelow(1000)}"
