"""Searching the model registry in SQL: registered models, and model versions by MLflow's
attributes and tags, by their lineage attributes (`execution_id`, `node_id`,
`workflow_version`), and by the datasets they were trained on (`datasets.name`,
`datasets.digest`: a clause holds when any of the version's training datasets matches)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError
from slipstream.entities.registry import ModelVersion, RegisteredModel
from slipstream.metadata.sql import keyed_search, tables
from slipstream.metadata.sql.registry import load_models, load_versions
from slipstream.metadata.sql.run_search import compare
from slipstream.metadata.sql.tracking_experiments import decode_token, encode_token
from slipstream.protocol.search import (
    MODEL_VERSIONS,
    REGISTERED_MODELS,
    Comparison,
    Entity,
    parse_filter,
)
from slipstream.protocol.search.render import render

_R = tables.registered_models.c
_V = tables.model_versions.c
_RT = tables.registered_model_tags.c
_VT = tables.model_version_tags.c
_D = tables.model_version_datasets.c

_LINEAGE = {"execution_id": _V.execution_id, "node_id": _V.node_id,
            "workflow_version": _V.workflow_version}
_VERSION_ATTRIBUTES = {"name": _V.name, "run_id": _V.run_id, "source_path": _V.source,
                       "version_number": _V.version,
                       "creation_timestamp": _V.creation_timestamp,
                       "last_updated_timestamp": _V.last_updated_timestamp, **_LINEAGE}
_DATASET_COLUMNS = {"name": _D.dataset_name, "digest": _D.digest}
#: MLflow's model-version search, with the lineage attributes and training datasets.
VERSION_SEARCH = replace(MODEL_VERSIONS,
                         entities=MODEL_VERSIONS.entities | {Entity.DATASET},
                         string_attributes=MODEL_VERSIONS.string_attributes | set(_LINEAGE))


def search_models(conn: Connection, filter_string: str, max_results: int,
                  order_by: Sequence[str],
                  page_token: str | None) -> tuple[list[RegisteredModel], str | None]:
    target = keyed_search.Target(
        REGISTERED_MODELS, _R.name,
        {name: _R[name] for name in REGISTERED_MODELS.order_by_attributes},
        {Entity.TAG: (tables.registered_model_tags, _RT.name)})
    offset = decode_token(page_token)
    query = (sa.select(_R.name).where(*keyed_search.compile_filter(target, filter_string))
             .order_by(*keyed_search.compile_order(target, order_by), _R.name)
             .limit(max_results + 1).offset(offset))
    found = list(conn.execute(query).scalars())
    following = encode_token(offset + max_results) if len(found) > max_results else None
    return load_models(conn, found[:max_results]), following


def search_versions(conn: Connection, filter_string: str, max_results: int,
                    order_by: Sequence[str],
                    page_token: str | None) -> tuple[list[ModelVersion], str | None]:
    target = keyed_search.Target(
        VERSION_SEARCH, sa.tuple_(_V.name, _V.version), _VERSION_ATTRIBUTES,
        {Entity.TAG: (tables.model_version_tags, sa.tuple_(_VT.name, _VT.version))})
    clauses = parse_filter(filter_string, VERSION_SEARCH)
    others = [c for c in clauses if c.entity is not Entity.DATASET]
    conditions = [*keyed_search.compile_filter(target, render(others)),
                  *(_dataset_condition(c) for c in clauses if c.entity is Entity.DATASET)]
    offset = decode_token(page_token)
    query = (sa.select(_V.name, _V.version).where(*conditions)
             .order_by(*keyed_search.compile_order(target, order_by),
                       _V.creation_timestamp.desc(), _V.name, _V.version.desc())
             .limit(max_results + 1).offset(offset))
    found = [(n, int(v)) for n, v in conn.execute(query).all()]
    following = encode_token(offset + max_results) if len(found) > max_results else None
    return load_versions(conn, found[:max_results]), following


def _dataset_condition(clause: Comparison) -> Any:
    column = _DATASET_COLUMNS.get(clause.key)
    if column is None:
        raise InvalidInputError(f"Model versions cannot be searched by datasets.{clause.key} "
                                "(their training datasets have no context); use "
                                "datasets.name or datasets.digest.")
    return sa.exists().where(_D.name == _V.name, _D.version == _V.version,
                             compare(column, clause.op, clause.value))
