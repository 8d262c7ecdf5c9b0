"""MLflow's input rules for tracking writes, checked before any store is touched.

Names (metric, param and tag keys) may hold letters, digits, `_ - . / :` and spaces, and must not
resolve to another path (`..`, a leading or doubled `/`, `a/./b`); keys are at most 250
characters, param values 6,000, tag values 8,000 (dataset fields: `DATASET_LIMITS`); one batch
holds at most 1,000 metrics, 100 params, 100 tags and 1,000 entities in all. Every failure is
an `InvalidInputError` naming the value and the rule (the REST layer maps it to
INVALID_PARAMETER_VALUE).
"""

from __future__ import annotations

import math
import numbers
import posixpath
import re
from collections.abc import Sequence
from enum import Enum
from typing import TypeVar

from slipstream._core.errors import InvalidInputError
from slipstream.entities import DatasetInput, Metric, Param, RunTag

E = TypeVar("E", bound=Enum)

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_PER_BATCH = 100
MAX_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000
MAX_EXPERIMENT_NAME_LENGTH = 500
#: MLflow's dataset limits: field -> maximum length.
DATASET_LIMITS = {"name": 500, "digest": 36, "source_type": 36, "source": 65535,
                  "schema": 1048575, "profile": 16384}
MAX_INPUT_TAG_KEY_LENGTH = 255
MAX_INPUT_TAG_VALUE_LENGTH = 500

_NAME = re.compile(r"^[/\w.\- :]*$")
#: MLflow 2.x+ accepts any such id (an unknown one is then "not found"); Slipstream makes 32 hex.
_RUN_ID = re.compile(r"^[a-zA-Z0-9][\w\-]{0,255}$")


def check_name(kind: str, name: object) -> str:
    """A metric, param or tag key, or InvalidInputError saying what is wrong with it."""
    if not isinstance(name, str):
        raise InvalidInputError(f"{kind.capitalize()} name must be a string, got {name!r:.100}.")
    if not _NAME.match(name):
        raise InvalidInputError(
            f"Invalid {kind} name: {name!r:.300}. Names may only contain alphanumerics, "
            "underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).")
    normal = posixpath.normpath(name)
    if normal != name or normal == "." or normal.startswith("..") or normal.startswith("/"):
        raise InvalidInputError(
            f"Invalid {kind} name: {name!r:.300}. Names may be treated as files, and must not "
            f"resolve to other names when treated as such; this one would resolve to "
            f"{normal!r:.300}.")
    if len(name) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"{kind.capitalize()} name {name[:40]!r}... is {len(name)} characters long; "
            f"the limit is {MAX_KEY_LENGTH}.")
    return name


def check_run_id(run_id: object) -> str:
    """A well-formed run id (letters, digits, `_`, `-`; at most 256 characters)."""
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise InvalidInputError(f"Invalid run ID {run_id!r:.100}: expected letters, digits, "
                                "'_' and '-' (Slipstream's are 32 hex characters).")
    return run_id


def check_experiment_name(name: object) -> str:
    """A non-empty experiment name of at most 500 characters."""
    return check_text_name("experiment name", name, MAX_EXPERIMENT_NAME_LENGTH)


def check_text_name(what: str, name: object, limit: int) -> str:
    """A non-empty string of at most `limit` characters (`what`: e.g. "experiment name")."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"Invalid {what} {name!r:.100}: it must be a non-empty string.")
    if len(name) > limit:
        raise InvalidInputError(f"{what[0].upper()}{what[1:]} {name[:40]!r}... is {len(name)} "
                                f"characters long; the limit is {limit}.")
    return name


def check_metric(metric: Metric) -> Metric:
    """Name rules, a numeric (not bool) value and integer timestamp and step."""
    check_name("metric", metric.key)
    value = metric.value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(
            f"Got invalid value {value!r:.100} for metric {metric.key!r} (timestamp="
            f"{metric.timestamp!r}). Please specify value as a valid double (64-bit floating "
            "point).")
    for what in ("timestamp", "step"):
        number = getattr(metric, what)
        if isinstance(number, bool) or not isinstance(number, numbers.Integral):
            raise InvalidInputError(f"Got invalid {what} {number!r:.100} for metric "
                                    f"{metric.key!r} (value={value!r}): it must be an integer.")
    return metric


def check_param(param: Param) -> Param:
    check_name("param", param.key)
    _check_value("param", param.key, param.value, MAX_PARAM_VALUE_LENGTH)
    return param


def check_tag(tag: RunTag) -> RunTag:
    check_name("tag", tag.key)
    _check_value("tag", tag.key, tag.value, MAX_TAG_VALUE_LENGTH)
    return tag


def check_batch(metrics: Sequence[Metric], params: Sequence[Param],
                tags: Sequence[RunTag]) -> None:
    """Every rule for one `log_batch` call, including MLflow's batch limits and that one batch
    does not give a param two different values."""
    for what, items, limit in (("metrics", metrics, MAX_METRICS_PER_BATCH),
                               ("params", params, MAX_PARAMS_PER_BATCH),
                               ("tags", tags, MAX_TAGS_PER_BATCH)):
        if len(items) > limit:
            raise InvalidInputError(
                f"A batch logging request can contain at most {limit} {what}; got "
                f"{len(items)}. Split it into several batches.")
    total = len(metrics) + len(params) + len(tags)
    if total > MAX_ENTITIES_PER_BATCH:
        raise InvalidInputError(
            f"A batch logging request can contain at most {MAX_ENTITIES_PER_BATCH} metrics, "
            f"params and tags in all; got {total}.")
    checked: set[str] = set()
    for metric in metrics:
        # The common batch repeats a few keys with plain float values: each name is checked once.
        if (type(metric.key) is str and metric.key in checked and type(metric.value) is float
                and type(metric.timestamp) is int and type(metric.step) is int):
            continue
        check_metric(metric)
        checked.add(metric.key)
    seen: dict[str, str] = {}
    for param in params:
        check_param(param)
        if seen.setdefault(param.key, param.value) != param.value:
            raise InvalidInputError(
                f"Duplicate parameter key {param.key!r} with different values "
                f"({seen[param.key]!r:.100} and {param.value!r:.100}) in one batch.")
    for tag in tags:
        check_tag(tag)


def check_dataset_input(item: DatasetInput) -> DatasetInput:
    """MLflow's dataset field limits (name, digest and source type required) and input tags."""
    dataset = item.dataset
    for name, limit in DATASET_LIMITS.items():
        value = getattr(dataset, name)
        if value is None and name in ("schema", "profile"):
            continue
        if not isinstance(value, str) or (not value and name in ("name", "digest",
                                                                  "source_type")):
            raise InvalidInputError(f"Dataset {name} must be a non-empty string, got "
                                    f"{value!r:.100}.")
        if len(value) > limit:
            raise InvalidInputError(f"Dataset {name} of {dataset.name[:40]!r} is {len(value)} "
                                    f"characters long; the limit is {limit}.")
    for key, value in item.tags.items():
        if len(key) > MAX_INPUT_TAG_KEY_LENGTH or len(value) > MAX_INPUT_TAG_VALUE_LENGTH:
            raise InvalidInputError(
                f"Input tag {key[:40]!r} is too long: keys may have {MAX_INPUT_TAG_KEY_LENGTH} "
                f"characters, values {MAX_INPUT_TAG_VALUE_LENGTH}.")
    return item


def enum_value(kind: type[E], value: E | str, what: str) -> str:
    """The string value of `value` as a member of the string enum `kind`; an unknown one is an
    InvalidInputError listing the members (`what` names the field, e.g. "run status")."""
    try:
        return str(kind(value).value)
    except ValueError:
        raise InvalidInputError(f"Unknown {what} {value!r}; use one of "
                                f"{[m.value for m in kind]}.") from None


def stored_value(value: float) -> tuple[float, bool]:
    """(value, is_nan) as stored: SQLite cannot keep NaN (it becomes NULL), so NaN is stored as
    0.0 with is_nan set, as MLflow does; infinities are stored as they are."""
    number = float(value)
    return (0.0, True) if math.isnan(number) else (number, False)


def _check_value(kind: str, key: str, value: object, limit: int) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"The value of {kind} {key!r} must be a string, got "
                                f"{value!r:.100}.")
    if len(value) > limit:
        raise InvalidInputError(
            f"The value of {kind} {key!r} is {len(value)} characters long; the limit is "
            f"{limit}.")
