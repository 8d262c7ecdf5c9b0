"""Porting flytekit code: `flyte_app.py.txt` is an app written for flytekit (the decorators and
options flytekit's docs and our seeds use). The test changes only its `from flytekit import ...`
lines to `from slipstream import ...`, imports it, runs every workflow and compares each result
with a plain-Python version of the same logic. (The unmodified file also runs under flytekit
1.16 and gives the same values; flytekit returns Tuple outputs as a `DefaultNamedTupleOutput`,
Slipstream as a plain tuple, and both compare equal to the plain tuple.)

flytekit names NOT supported by Slipstream (porting code that imports them needs more than the
import change; see UNSUPPORTED below, which the tests check against the package):

- renamed equivalents: `flytekit.types.file.FlyteFile` -> `slipstream.File`,
  `flytekit.types.directory.FlyteDirectory` -> `slipstream.Directory`,
  `flytekit.types.structured.StructuredDataset` -> annotate with `pd.DataFrame` (or
  `pyarrow.Table`) directly; `flytekit.current_context()` -> `slipstream.current_context()`
  (returns a `RunContext`: execution_id, node_id, task_name, attempt; no working_directory or
  secrets); `LaunchPlan.get_or_create(workflow, name, fixed_inputs=, default_inputs=,
  schedule=)` keeps its name and those keywords, its schedule given as
  `slipstream.scheduling.cron(...)` / `every(...)` instead of `CronSchedule` / `FixedRate`,
  and notifications as one webhook (`notify=`).
- no equivalent: `CronSchedule`, `FixedRate`, `ImageSpec`, `PodTemplate`,
  `ContainerTask`, `kwtypes`, `Secret`, `Deck`, `approve`, `wait_for_input`, `sleep`,
  `reference_task`, `reference_launch_plan`, `TaskMetadata`, `WorkflowFailurePolicy`, `Labels`,
  `Annotations`, `Email`/`Slack`/`PagerDuty` notifications, `task_config=` plugins (Ray,
  SageMaker...), `container_image=`, `secret_requests=`, `cache_serialize=`, `deprecated=`.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import slipstream
from slipstream import Cache, Resources, Retry
from slipstream._core.errors import ExecutionFailedError

APP = Path(__file__).with_name("flyte_app.py.txt")
FLYTEKIT_IMPORT = re.compile(r"^from flytekit import ", re.MULTILINE)

UNSUPPORTED = [
    "FlyteFile", "FlyteDirectory", "StructuredDataset", "CronSchedule", "FixedRate",
    "ImageSpec", "PodTemplate", "ContainerTask", "kwtypes", "Secret", "Deck", "approve",
    "wait_for_input", "sleep", "reference_task", "reference_launch_plan", "TaskMetadata",
    "WorkflowFailurePolicy", "Labels", "Annotations", "Email",
]
RENAMED = {"FlyteFile": "File", "FlyteDirectory": "Directory",
           "current_context": "current_context"}


def port(text: str) -> str:
    """What a user does to port: change the `from flytekit import` lines, nothing else."""
    return FLYTEKIT_IMPORT.sub("from slipstream import ", text)


def load(text: str, folder: Path, name: str) -> ModuleType:
    path = folder / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    module = load(port(APP.read_text()), tmp_path_factory.mktemp("ported"), "flyte_app_ported")
    yield module
    sys.modules.pop("flyte_app_ported", None)


def test_only_the_import_lines_change() -> None:
    original, ported = APP.read_text().splitlines(), port(APP.read_text()).splitlines()
    changed = [(a, b) for a, b in zip(original, ported, strict=True) if a != b]
    assert changed == [
        ("from flytekit import Resources, conditional, dynamic, map_task, task, workflow",
         "from slipstream import Resources, conditional, dynamic, map_task, task, workflow")]
    assert not re.search(r"^\s*(from|import) flytekit", "\n".join(ported), re.MULTILINE)


# --- plain-Python mirrors of the app's logic ---------------------------------------------------
def rows(n_rows: int, seed: int) -> list[tuple[int, float, int]]:
    return [(i, float((i * 7 + seed) % 11), (i + seed) % 3) for i in range(n_rows)]


def expect_data_pipeline(n_rows: int = 20, seed: int = 3, test_every: int = 4) -> tuple[int, str]:
    data = rows(n_rows, seed)
    train = [r for r in data if r[0] % test_every != 0]
    test = [r for r in data if r[0] % test_every == 0]
    mean = sum(r[1] for r in train) / len(train)
    sizes: dict[int, int] = {}
    for r in test:
        sizes[r[2]] = sizes.get(r[2], 0) + 1
    label = ",".join(f"{k}={v}" for k, v in sorted(sizes.items()))
    return len(train), f"mean={mean:.3f};{label}"


def expect_map_pipeline(xs: list[int]) -> int:
    failed = sum(1 for x in xs if x < 0)
    if failed > len(xs) - math.ceil(len(xs) * 0.9):
        raise ValueError("too many failures")
    return sum(x * x for x in xs if x >= 0)


def expect_branch(x: float) -> float:
    if 0.1 <= x <= 1.0:
        return x * 10.0
    if x > 1.0:
        return x / 10.0
    raise ValueError("x must be >= 0.1")


def expect_tuning(n_rows: int = 30, cs: tuple[float, ...] = (1.0, 4.0, 6.0, 9.0)
                  ) -> tuple[float, float]:
    data = rows(n_rows, 1)
    mean = sum(r[1] for r in data) / len(data)
    scored = [(-abs(mean - c), -i, c) for i, c in enumerate(cs)]  # first best wins ties
    score, _, c = max(scored)
    return c, score


def expect_stats(n_rows: int, seed: int) -> tuple[float, int]:
    data = rows(n_rows, seed)
    return sum(r[1] for r in data) / len(data), len(data)


def parity_text(n: int) -> str:
    return f"{n} is {'even' if n % 2 == 0 else 'odd'}"


# --- running every workflow ---------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"n_rows": 9, "seed": 5, "test_every": 2},
                                    {"n_rows": 40, "seed": 0, "test_every": 3}])
def test_data_pipeline(app: ModuleType, kwargs: dict[str, int]) -> None:
    count, text = app.data_pipeline(**kwargs)
    assert (count, text) == expect_data_pipeline(**kwargs)


def test_data_pipeline_twice_reuses_the_cached_load(app: ModuleType) -> None:
    first = app.data_pipeline(n_rows=12)
    assert app.data_pipeline(n_rows=12) == first == expect_data_pipeline(n_rows=12)


@pytest.mark.parametrize("xs", [[1, 2, 3, 4], [], [*range(10), -11], [0, 5]])
def test_map_pipeline(app: ModuleType, xs: list[int]) -> None:
    assert app.map_pipeline(xs=xs) == expect_map_pipeline(xs)


def test_map_pipeline_default_input(app: ModuleType) -> None:
    assert app.map_pipeline() == expect_map_pipeline([1, 2, 3, 4])


def test_map_pipeline_below_min_success_ratio_fails(app: ModuleType) -> None:
    xs = [1, -2, 3]
    with pytest.raises(ValueError, match="too many failures"):
        expect_map_pipeline(xs)
    with pytest.raises(ExecutionFailedError, match="negative input -2"):
        app.map_pipeline(xs=xs)


def test_strict_map(app: ModuleType) -> None:
    xs = [3, 1, 4, 1, 5]
    assert app.strict_map(xs=xs) == sum(2 * x for x in xs)


@pytest.mark.parametrize("x", [0.1, 0.5, 1.0, 1.5, 20.0])
def test_branch(app: ModuleType, x: float) -> None:
    assert app.branch(x=x) == pytest.approx(expect_branch(x))


@pytest.mark.parametrize("x", [0.0, -3.0, 0.05])
def test_branch_fail_case(app: ModuleType, x: float) -> None:
    with pytest.raises(ValueError, match=re.escape("x must be >= 0.1")):
        expect_branch(x)
    with pytest.raises(ExecutionFailedError, match=re.escape("x must be >= 0.1")):
        app.branch(x=x)


@pytest.mark.parametrize("n", [0, 3, 4, 11])
def test_parity_with_is_true(app: ModuleType, n: int) -> None:
    assert app.parity(n=n) == parity_text(n)


@pytest.mark.parametrize("kwargs", [{}, {"n_rows": 10, "cs": [2.0, 5.0]}, {"cs": [7.5]}])
def test_dynamic_tuning(app: ModuleType, kwargs: dict[str, Any]) -> None:
    expected_kwargs = {**kwargs, **({"cs": tuple(kwargs["cs"])} if "cs" in kwargs else {})}
    best_c, best_score = app.tuning_pipeline(**kwargs)
    c, score = expect_tuning(**expected_kwargs)
    assert best_c == c
    assert best_score == pytest.approx(score)


def test_namedtuple_outputs_and_sub_workflow(app: ModuleType) -> None:
    stats = app.nested()
    assert isinstance(stats, app.Stats)
    assert (stats.mean, stats.count) == pytest.approx(expect_stats(12, 0))
    mean, text = app.outer(n=6)
    assert mean == pytest.approx(expect_stats(6, 0)[0])
    assert text == parity_text(6)
    assert app.outer() == (pytest.approx(expect_stats(5, 0)[0]), parity_text(5))


def test_functional_namedtuple_output(app: ModuleType) -> None:
    assert list(app.split.interface.outputs) == ["train", "test"]
    spec = app.data_pipeline.spec.to_json()
    summarize = next(n for n in spec["nodes"] if n["name"] == "summarize")
    assert summarize["inputs"] == {"df": {"node": "n1", "output": "train"}}


def test_flytekit_task_options_carry_over(app: ModuleType) -> None:
    load_data = app.load_data
    assert load_data.requests == Resources(cpu="1", mem="500Mi")
    assert load_data.limits == Resources(cpu="2", mem="1Gi")
    assert load_data.retry == Retry(3)
    assert load_data.timeout == timedelta(minutes=10).total_seconds()
    assert load_data.cache == Cache(version="1.0")
    assert load_data.interruptible is True
    assert app.summarize.requests == Resources(cpu="2", mem="1Gi")
    assert app.tune.kind == "dynamic" and app.tune.cache_version == "1.0"


# --- what does not port by changing imports -------------------------------------------------------
@pytest.mark.parametrize("name", UNSUPPORTED)
def test_unsupported_flytekit_names_are_not_faked(name: str) -> None:
    assert not hasattr(slipstream, name)
    with pytest.raises(ImportError):
        exec(f"from slipstream import {name}", {})


@pytest.mark.parametrize(("flyte_name", "slipstream_name"), sorted(RENAMED.items()))
def test_renamed_equivalents_exist(flyte_name: str, slipstream_name: str) -> None:
    assert getattr(slipstream, slipstream_name) is not None


def test_flytekit_submodule_imports_are_not_rewritten(tmp_path: Path) -> None:
    text = port("from flytekit import task\nfrom flytekit.types.file import FlyteFile\n")
    assert "from flytekit.types.file import FlyteFile" in text
    with pytest.raises(ModuleNotFoundError, match="flytekit"):
        load(text, tmp_path, "flyte_file_user")


def test_launch_plan_keeps_flytekits_get_or_create_keywords() -> None:
    import inspect

    parameters = inspect.signature(slipstream.LaunchPlan.get_or_create).parameters
    assert list(parameters)[:2] == ["workflow", "name"]
    assert {"fixed_inputs", "default_inputs", "schedule"} <= set(parameters)
