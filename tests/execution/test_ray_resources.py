"""Resources -> Ray task options, the feasibility check, and the Ray executor specs (no cluster
needed)."""

from __future__ import annotations

import pytest

from slipstream import Resources, task
from slipstream._core.errors import DefinitionError, InvalidInputError
from slipstream.execution.executor import make_executor
from slipstream.execution.ray_resources import (
    byte_amount,
    cpu_amount,
    demand,
    ray_options,
    unsatisfiable,
)


@pytest.mark.parametrize(("value", "cpus"), [(2, 2.0), (0.5, 0.5), ("1", 1.0), ("500m", 0.5),
                                             ("1.5", 1.5)])
def test_cpu_amounts(value: object, cpus: float) -> None:
    assert cpu_amount(value, "t") == cpus  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "size"), [(1024, 1024), ("1Gi", 2**30), ("512Mi", 2**29),
                                             ("1G", 10**9), ("100M", 10**8), ("2k", 2000),
                                             ("1.5Gi", 3 * 2**29), ("4096", 4096)])
def test_memory_amounts(value: object, size: int) -> None:
    assert byte_amount(value, "t") == size  # type: ignore[arg-type]


def test_bad_amounts_name_the_task_and_the_value() -> None:
    with pytest.raises(DefinitionError, match=r"task 'fit': cpu='lots' is not a CPU amount"):
        cpu_amount("lots", "fit")
    with pytest.raises(DefinitionError, match=r"task 'fit': mem='1Gb' is not an amount of memory"):
        byte_amount("1Gb", "fit")


def test_requests_win_over_limits_and_interruptible_tasks_are_retried() -> None:
    @task(requests=Resources(cpu="250m", custom={"tpu": 1}),
          limits=Resources(cpu="2", mem="1Gi", gpu=1), interruptible=True)
    def fit(x: int) -> int:
        return x

    options = ray_options(fit)
    assert options["num_cpus"] == 0.25 and options["memory"] == 2**30
    assert options["num_gpus"] == 1.0 and options["resources"] == {"tpu": 1.0}
    assert options["max_retries"] > 0 and options["retry_exceptions"] is False
    assert demand(options) == {"CPU": 0.25, "memory": 2**30, "GPU": 1.0, "tpu": 1.0}

    @task
    def plain(x: int) -> int:
        return x

    assert ray_options(plain)["max_retries"] == 0 and "num_cpus" not in ray_options(plain)
    assert demand(ray_options(plain)) == {"CPU": 1.0}


def test_a_demand_fits_when_one_node_has_all_of_it() -> None:
    nodes = [{"CPU": 4.0, "memory": 2.0 * 2**30}, {"CPU": 1.0, "memory": 8.0 * 2**30, "GPU": 1.0}]
    assert unsatisfiable({"CPU": 1.0, "GPU": 1.0}, nodes) is None
    # 4 CPUs on one node and 8Gi on the other: no single node has both
    why = unsatisfiable({"CPU": 4.0, "memory": 8.0 * 2**30}, nodes)
    assert why is not None and "requests CPU=4, memory=8Gi" in why
    assert "nodes: CPU=4, memory=2Gi; CPU=1, memory=8Gi" in why
    assert unsatisfiable({"CPU": 1.0}, []) == "the cluster has no live node"


@pytest.mark.parametrize(("spec", "address"), [("ray", None), ("auto", "auto"),
                                               ("ray:auto", "auto"),
                                               ("ray:10.0.0.5:6379", "10.0.0.5:6379"),
                                               ("ray://head:10001", "ray://head:10001")])
def test_ray_executor_specs(spec: str, address: str | None) -> None:
    executor = make_executor(spec)
    assert executor.address == address  # type: ignore[attr-defined]
    assert executor.name == (f"ray:{address}" if address else "ray")


def test_an_empty_ray_address_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="use 'ray', 'ray:auto'"):
        make_executor("ray:")
