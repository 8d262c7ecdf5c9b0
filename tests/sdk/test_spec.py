"""The compiled spec: JSON-serialisable IR, node ids, upstream lists, bindings, and a version
that is a content hash of the graph and the task code."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path
from typing import Any

import pytest

from slipstream import conditional, map_task, task, workflow

SOURCE = '''
from slipstream import task, workflow


@task
def inc(x: int) -> int:
    return x + BODY


@task
def add(x: int, y: int) -> int:
    return x + y


@workflow
def pipeline(x: int = 1) -> int:
    a = inc(x=x)
    b = inc(x=a)
    return add(x=a, y=b)
'''


def load(body: str, *, name: str = "spec_fixture", path: Path | None = None) -> Any:
    """Exec SOURCE into a fresh module; with `path` the code gets a real file (so inspect can
    read its source), without it the code is `<string>`-only, as in a notebook or exec."""
    text = SOURCE.replace("BODY", body)
    filename = "<spec_fixture>"
    if path is not None:
        path.write_text(text)
        filename = str(path)
    module = types.ModuleType(name)
    exec(compile(text, filename, "exec"), module.__dict__)
    return module


def test_spec_is_json_with_ids_upstream_and_bindings() -> None:
    spec = load("1").pipeline.spec.to_json()
    assert json.loads(json.dumps(spec)) == spec
    assert spec["name"] == "pipeline" and spec["ref"] == "spec_fixture:pipeline"
    assert spec["inputs"] == {"x": {"type": "int", "default": 1}}
    assert spec["outputs"] == {"o0": "int"}
    nodes = spec["nodes"]
    assert [(n["id"], n["kind"], n["name"], n["upstream"]) for n in nodes] == [
        ("n0", "task", "inc", []), ("n1", "task", "inc", ["n0"]),
        ("n2", "task", "add", ["n0", "n1"])]
    assert nodes[0]["inputs"] == {"x": {"input": "x"}}
    assert nodes[1]["inputs"] == {"x": {"node": "n0", "output": "o0"}}
    assert nodes[2]["inputs"] == {"x": {"node": "n0", "output": "o0"},
                                  "y": {"node": "n1", "output": "o0"}}
    assert spec["output_bindings"] == {"o0": {"node": "n2", "output": "o0"}}
    assert all(re.fullmatch(r"[0-9a-f]{16}", n["version"]) for n in nodes)
    assert nodes[0]["ref"] == "spec_fixture:inc"


@task
def half(x: float) -> float:
    return x / 2


@task
def total(values: list[float]) -> float:
    return sum(values)


@workflow
def inner(x: float) -> float:
    return half(x=x)


@workflow
def rich(xs: list[float], x: float = 2.0) -> float:
    mapped = map_task(half)(x=xs)
    sub = inner(x=x)
    listed = total(values=[sub, half(x=sub), 3.0])
    return (conditional("sign").if_((x > 0) & (sub < 10.0)).then(total(values=mapped))
            .else_().then(listed))


def test_every_node_kind_serialises() -> None:
    spec = rich.spec.to_json()
    assert json.loads(json.dumps(spec)) == spec
    kinds = {n["id"]: n["kind"] for n in spec["nodes"]}
    assert kinds == {"n0": "map", "n1": "workflow", "n2": "task", "n3": "task", "n4": "branch"}
    sub = spec["nodes"][1]["subworkflow"]
    assert sub["name"] == "inner" and sub["nodes"][0]["name"] == "half"
    assert spec["nodes"][3]["inputs"]["values"] == {"list": [
        {"node": "n1", "output": "o0"}, {"node": "n2", "output": "o0"}, {"const": 3.0}]}
    branch = spec["nodes"][4]
    assert branch["upstream"] == ["n0", "n1", "n3"]
    assert branch["cases"][0]["condition"] == {
        "op": "and",
        "left": {"op": ">", "left": {"input": "x"}, "right": {"const": 0}},
        "right": {"op": "<", "left": {"node": "n1", "output": "o0"}, "right": {"const": 10.0}}}
    assert [n["id"] for n in branch["cases"][0]["nodes"]] == ["n5"]
    assert branch["cases"][1] == {"condition": None, "nodes": [], "fail": None,
                                  "output": {"node": "n3", "output": "o0"}}
    assert rich(xs=[1.0, 3.0]) == 2.0
    assert rich(xs=[1.0], x=-4.0) == -2.0 + -1.0 + 3.0


def test_version_is_stable_for_identical_definitions(tmp_path: Path) -> None:
    first, second = load("1", path=tmp_path / "a.py"), load("1", path=tmp_path / "b.py")
    assert first.pipeline is not second.pipeline
    assert re.fullmatch(r"[0-9a-f]{16}", first.pipeline.version)
    assert first.pipeline.version == second.pipeline.version
    assert first.inc.version == second.inc.version
    assert first.pipeline.version == first.pipeline.version  # cached, still the same


def test_version_changes_when_a_task_body_changes(tmp_path: Path) -> None:
    one, two = load("1", path=tmp_path / "a.py"), load("2", path=tmp_path / "b.py")
    assert one.inc.version != two.inc.version
    assert one.add.version == two.add.version
    assert one.pipeline.version != two.pipeline.version


def test_version_without_readable_source_still_follows_the_body() -> None:
    # code from exec(str): inspect.getsource fails, the bytecode is hashed instead
    one, again, two = load("1"), load("1"), load("2")
    assert one.pipeline.version == again.pipeline.version
    assert one.inc.version != two.inc.version
    assert one.pipeline.version != two.pipeline.version


def test_version_changes_when_the_graph_changes(tmp_path: Path) -> None:
    base = load("1", path=tmp_path / "a.py")
    rewired = types.ModuleType("spec_fixture")
    exec(compile(SOURCE.replace("BODY", "1").replace("add(x=a, y=b)", "add(x=b, y=a)"),
                 str(tmp_path / "a.py"), "exec"), rewired.__dict__)
    assert base.pipeline.version != rewired.pipeline.version


def test_cached_task_from_exec_does_not_reuse_an_old_body_outputs() -> None:
    text = SOURCE.replace("@task\ndef inc", "@task(cache=True)\ndef inc")
    old, new = types.ModuleType("spec_cached"), types.ModuleType("spec_cached")
    exec(compile(text.replace("BODY", "1"), "<spec_cached>", "exec"), old.__dict__)
    exec(compile(text.replace("BODY", "100"), "<spec_cached>", "exec"), new.__dict__)
    assert old.pipeline(x=1) == 2 + 3
    assert new.pipeline(x=1) == 101 + 201


@pytest.mark.parametrize("default", [1, 5])
def test_input_defaults_are_part_of_the_spec(default: int) -> None:
    @workflow
    def defaulted(x: int = default) -> float:
        return half(x=x)

    assert defaulted.spec.to_json()["inputs"]["x"] == {"type": "int", "default": default}


def test_version_ignores_comments_and_line_moves_but_not_defaults() -> None:
    """Reformatting a file must not invalidate caches; changing what a task does must."""
    base = load("1")
    moved = types.ModuleType("spec_fixture")
    text = "# a comment\n\n\n" + SOURCE.replace("BODY", "1  # explained")
    exec(compile(text, "<spec_fixture>", "exec"), moved.__dict__)
    assert moved.inc.version == base.inc.version
    assert moved.pipeline.version == base.pipeline.version
    defaults = types.ModuleType("spec_fixture")
    exec(compile(SOURCE.replace("BODY", "1").replace("def inc(x: int)", "def inc(x: int = 5)"),
                 "<spec_fixture>", "exec"), defaults.__dict__)
    assert defaults.inc.version != base.inc.version
