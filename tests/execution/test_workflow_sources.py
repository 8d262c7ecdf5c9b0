"""A registered workflow version keeps the source of the workflow and of each task it runs
(`sources` in its stored spec, by ref), so two versions' code can be compared; the version
hash is the graph's, sources aside."""

from __future__ import annotations

from typing import Any

from slipstream import task, workflow


def _first() -> Any:
    @task
    def scale(x: int) -> int:
        return x * 2

    @task
    def shift(x: int) -> int:
        return x + 1

    @workflow
    def scaled(x: int = 1) -> int:
        return shift(x=scale(x=x))

    return scaled, scale


def _second() -> Any:
    @task
    def scale(x: int) -> int:
        return x * 3

    @task
    def shift(x: int) -> int:
        return x + 1

    @workflow
    def scaled(x: int = 1) -> int:
        return shift(x=scale(x=x))

    return scaled, scale


def test_each_version_stores_its_sources(client: Any) -> None:
    (first, scale_1), (second, scale_2) = _first(), _second()
    assert first.version != second.version  # the task's code changed
    for wf in (first, second):
        client.execute(wf, {"x": 2})
    specs = [client.store.get_workflow("scaled", wf.version).spec for wf in (first, second)]
    sources = [spec.pop("sources") for spec in specs]
    for wf, spec in zip((first, second), specs, strict=True):
        assert spec == wf.spec.to_json() and wf.version == wf.spec.content_hash()
    assert len(sources[0]) == 3 and first.ref in sources[0]
    assert "return x * 2" in sources[0][scale_1.ref]
    assert "return x * 3" in sources[1][scale_2.ref]
    assert sources[1][second.ref].startswith("@workflow\ndef scaled(x: int = 1) -> int:\n")
    assert specs[1]["nodes"][0]["ref"] == scale_2.ref  # a node's source is found by its ref
