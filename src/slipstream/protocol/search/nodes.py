"""The frozen AST of a search filter and an order-by, and the schemas saying what each search allows.

A filter is a conjunction: a tuple of `Comparison`s, all of which must hold. Entities and
operators are string enums whose values are the canonical spellings, so a SQL compiler can switch
on them and `render` can print them. Values are already typed: a float for metrics, an int for
numeric attributes (milliseconds, version numbers), a str for strings, a tuple of str for
IN / NOT IN, and None for IS NULL / IS NOT NULL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Entity(StrEnum):
    """What a clause looks at; the value is the canonical (singular) name."""

    METRIC = "metric"
    PARAM = "param"
    TAG = "tag"
    ATTRIBUTE = "attribute"
    DATASET = "dataset"

    @property
    def plural(self) -> str:
        """The spelling `render` writes: metrics, params, tags, attributes, datasets."""
        return self.value + "s"


class Op(StrEnum):
    """A comparison operator, spelled as in the filter language."""

    EQ = "="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    LIKE = "LIKE"
    ILIKE = "ILIKE"
    IN = "IN"
    NOT_IN = "NOT IN"
    IS_NULL = "IS NULL"
    IS_NOT_NULL = "IS NOT NULL"


Value = float | int | str | tuple[str, ...] | None

NUMERIC_OPS: tuple[Op, ...] = (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE)
STRING_OPS: tuple[Op, ...] = (Op.EQ, Op.NE, Op.LIKE, Op.ILIKE, Op.IN, Op.NOT_IN)
NULL_OPS: tuple[Op, ...] = (Op.IS_NULL, Op.IS_NOT_NULL)
LIST_OPS: tuple[Op, ...] = (Op.IN, Op.NOT_IN)

ENTITY_ALIASES: Mapping[str, Entity] = MappingProxyType({
    "metric": Entity.METRIC, "metrics": Entity.METRIC,
    "param": Entity.PARAM, "params": Entity.PARAM,
    "parameter": Entity.PARAM, "parameters": Entity.PARAM,
    "tag": Entity.TAG, "tags": Entity.TAG,
    "attribute": Entity.ATTRIBUTE, "attributes": Entity.ATTRIBUTE,
    "attr": Entity.ATTRIBUTE, "run": Entity.ATTRIBUTE,
    "dataset": Entity.DATASET, "datasets": Entity.DATASET,
})

DATASET_KEYS: frozenset[str] = frozenset({"name", "digest", "context"})


@dataclass(frozen=True)
class Comparison:
    """One clause: `<entity>.<key> <op> <value>`; `key` is canonical (aliases resolved)."""

    entity: Entity
    key: str
    op: Op
    value: Value = None


@dataclass(frozen=True)
class OrderBy:
    """One order-by term: `<entity>.<key> [ASC|DESC]`."""

    entity: Entity
    key: str
    ascending: bool = True


@dataclass(frozen=True)
class SearchSchema:
    """What one search endpoint accepts: its entities, attribute keys and their aliases."""

    name: str
    entities: frozenset[Entity]
    string_attributes: frozenset[str]
    numeric_attributes: frozenset[str]
    order_by_attributes: frozenset[str]
    attribute_aliases: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def canonical_attribute(self, key: str) -> str:
        """The attribute `key` names, aliases resolved (`created` -> `start_time`)."""
        return self.attribute_aliases.get(key, key)

    def is_numeric(self, entity: Entity, key: str) -> bool:
        """True when values of `entity.key` are numbers (metrics, timestamps, versions)."""
        return entity is Entity.METRIC or (entity is Entity.ATTRIBUTE
                                           and key in self.numeric_attributes)

    def allowed_ops(self, entity: Entity, key: str) -> tuple[Op, ...]:
        """The operators a clause on `entity.key` may use."""
        if entity is Entity.METRIC:
            return NUMERIC_OPS + NULL_OPS
        if entity in (Entity.PARAM, Entity.TAG):
            return STRING_OPS + NULL_OPS
        if entity is Entity.ATTRIBUTE and key in self.numeric_attributes:
            return NUMERIC_OPS
        return STRING_OPS


RUNS = SearchSchema(
    name="runs",
    entities=frozenset(Entity),
    string_attributes=frozenset({"run_id", "run_name", "status", "artifact_uri", "user_id",
                                 "lifecycle_stage"}),
    numeric_attributes=frozenset({"start_time", "end_time"}),
    order_by_attributes=frozenset({"run_id", "run_name", "status", "artifact_uri", "user_id",
                                   "lifecycle_stage", "experiment_id", "start_time", "end_time"}),
    attribute_aliases=MappingProxyType({"created": "start_time", "Created": "start_time",
                                        "run name": "run_name", "Run name": "run_name",
                                        "Run Name": "run_name"}),
)

EXPERIMENTS = SearchSchema(
    name="experiments",
    entities=frozenset({Entity.ATTRIBUTE, Entity.TAG}),
    string_attributes=frozenset({"name"}),
    numeric_attributes=frozenset({"creation_time", "last_update_time"}),
    order_by_attributes=frozenset({"name", "experiment_id", "creation_time", "last_update_time"}),
)

MODEL_VERSIONS = SearchSchema(
    name="model versions",
    entities=frozenset({Entity.ATTRIBUTE, Entity.TAG}),
    string_attributes=frozenset({"name", "run_id", "source_path"}),
    numeric_attributes=frozenset({"version_number"}),
    order_by_attributes=frozenset({"name", "version_number", "creation_timestamp",
                                   "last_updated_timestamp"}),
)

REGISTERED_MODELS = SearchSchema(
    name="registered models",
    entities=frozenset({Entity.ATTRIBUTE, Entity.TAG}),
    string_attributes=frozenset({"name"}),
    numeric_attributes=frozenset({"creation_timestamp", "last_updated_timestamp"}),
    order_by_attributes=frozenset({"name", "creation_timestamp", "last_updated_timestamp"}),
)

LOGGED_MODELS = SearchSchema(
    name="logged models",
    entities=frozenset({Entity.ATTRIBUTE, Entity.TAG, Entity.PARAM, Entity.METRIC}),
    string_attributes=frozenset({"name", "model_id", "model_type", "status", "source_run_id"}),
    numeric_attributes=frozenset({"creation_timestamp", "last_updated_timestamp"}),
    order_by_attributes=frozenset({"name", "model_id", "model_type", "status", "source_run_id",
                                   "creation_timestamp", "last_updated_timestamp"}),
    attribute_aliases=MappingProxyType({"creation_time": "creation_timestamp",
                                        "last_updated_time": "last_updated_timestamp"}),
)
