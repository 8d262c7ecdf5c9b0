"""One measurement of the Ray executor against the process pool and in-process runs, in a fresh
process (run.py's `ray` group runs it; it needs Slipstream's ray extra and psutil).

    python ray_bench.py --bench map|cpu|overhead|large|cluster --executor ray|process|inline

- map: a 10,000-item map of a trivial task; items per second.
- cpu: a map of 200 items of ~20 ms of pure-Python work each; wall time against the ideal
  (the work divided by the 2 CPUs).
- overhead: a chain of 50 trivial tasks, each waiting for the one before; ms per task.
- large: a chain of 3 tasks passing a 50 MB numpy array (through the artifact store; `--store
  s3`: a moto S3 server in this process instead of a local folder), median of 5 runs.
- cluster: the local Ray instance's start time and the RSS of its processes (GCS, raylet,
  workers) after start and after a 1,000-item map.

Ray runs on a local instance with 2 CPUs; the process pool has 2 workers. Every timed run is
the second execution in the process (the first, small, starts the pool or the Ray workers).
Timed figures are `run_s` (run.py's `wall_s` is the whole process's).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from typing import Any

import numpy as np

from slipstream import map_task, task, workflow

ITEMS = 10_000
CPU_ITEMS = 200
CPU_ITEM_S = 0.020
CHAIN = 50
LARGE_BYTES = 50_000_000
LARGE_RUNS = 5


@task
def inc(x: int) -> int:
    return x + 1


@task
def burn(x: int, n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total + x


@task
def make(n: int) -> np.ndarray:
    return np.arange(n // 8, dtype=np.float64)


@task
def step(a: np.ndarray) -> np.ndarray:
    return a + 1.0


@task
def total(a: np.ndarray) -> float:
    return float(a[-1])


@workflow
def trivial_map(xs: list[int]) -> list[int]:
    return map_task(inc)(x=xs)


@workflow
def cpu_map(xs: list[int], ns: list[int]) -> list[int]:
    return map_task(burn)(x=xs, n=ns)


@workflow
def chain(x: int) -> int:
    value = x
    for _ in range(CHAIN):
        value = inc(x=value)
    return value


@workflow
def large(n: int) -> float:
    return total(a=step(a=step(a=make(n=n))))


def calibrate(seconds: float) -> int:
    """Loop count of `burn` that takes `seconds` here."""
    n = 200_000
    while True:
        start = time.perf_counter()
        _burn(0, n)
        elapsed = time.perf_counter() - start
        if elapsed > 0.05:
            return int(n * seconds / elapsed)
        n *= 2


def _burn(x: int, n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total + x


def ray_tree_memory() -> tuple[float, float, int]:
    """(MB of RSS, MB of USS, process count) of this process's children: the local Ray
    instance (GCS, raylet, its workers, monitors). RSS counts shared pages in each process;
    USS only what each process alone holds."""
    import psutil

    rss, uss, count = 0, 0, 0
    for child in psutil.Process().children(recursive=True):
        try:
            info = child.memory_full_info()
        except psutil.Error:
            continue
        rss, uss, count = rss + info.rss, uss + info.uss, count + 1
    return round(rss / 2**20, 1), round(uss / 2**20, 1), count


def start_s3() -> None:
    """A moto S3 server on 127.0.0.1 as the artifact store (a store across the network)."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    fake = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(fake)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
        Bucket="bench")
    os.environ["SLIPSTREAM_S3_ENDPOINT_URL"] = endpoint
    os.environ["SLIPSTREAM_ARTIFACT_URI"] = "s3://bench/artifacts"


def make_executor(kind: str) -> Any:
    if kind == "ray":
        from slipstream.execution.ray_executor import RayExecutor

        return RayExecutor(None, num_cpus=2)
    return kind if kind == "inline" else "process:2"


def timed(client: Any, wf: Any, inputs: dict[str, Any], executor: Any) -> float:
    start = time.perf_counter()
    result = client.execute(wf, inputs, executor=executor)
    elapsed = time.perf_counter() - start
    assert result.execution.status.value == "SUCCEEDED"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True,
                        choices=["map", "cpu", "overhead", "large", "cluster"])
    parser.add_argument("--executor", default="ray",
                        choices=["ray", "process", "inline"])
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--store", choices=["local", "s3"], default="local",
                        help="s3: the artifact store on a moto S3 server in this process")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client

    home = tempfile.mkdtemp(prefix="ss-ray-bench-")
    if args.store == "s3":
        start_s3()
    client = Client(Settings.load(home=home))
    record: dict[str, Any] = {"tool": "slipstream", "bench": args.bench,
                              "executor": args.executor, "store": args.store}
    start = time.perf_counter()
    if args.executor == "ray":
        import logging

        import ray

        ray.init(address="local", num_cpus=2, include_dashboard=False,
                 logging_level=logging.WARNING)
        record["start_s"] = round(time.perf_counter() - start, 3)
        (record["rss_start_mb"], record["uss_start_mb"],
         record["processes_start"]) = ray_tree_memory()
    executor = make_executor(args.executor)
    warm = timed(client, trivial_map, {"xs": list(range(20))}, executor)
    record["first_run_s"] = round(warm, 3)
    if args.bench == "map":
        wall = timed(client, trivial_map, {"xs": list(range(args.items))}, executor)
        record.update(items=args.items, run_s=round(wall, 3),
                      items_per_s=round(args.items / wall, 1))
    elif args.bench == "cpu":
        n = calibrate(CPU_ITEM_S)
        wall = timed(client, cpu_map, {"xs": list(range(CPU_ITEMS)), "ns": [n] * CPU_ITEMS},
                     executor)
        ideal = CPU_ITEMS * CPU_ITEM_S / 2
        record.update(items=CPU_ITEMS, run_s=round(wall, 3), ideal_s=ideal,
                      efficiency=round(ideal / wall, 3))
    elif args.bench == "overhead":
        wall = timed(client, chain, {"x": 0}, executor)
        record.update(tasks=CHAIN, run_s=round(wall, 3), ms_per_task=round(wall / CHAIN * 1e3, 2))
    elif args.bench == "large":
        walls = sorted(timed(client, large, {"n": LARGE_BYTES + 8 * i}, executor)  # new bytes
                       for i in range(LARGE_RUNS))
        record.update(bytes=LARGE_BYTES, runs=LARGE_RUNS, run_s=round(walls[len(walls) // 2], 3),
                      each_s=[round(w, 3) for w in walls])
    elif args.bench == "cluster":
        wall = timed(client, trivial_map, {"xs": list(range(1000))}, executor)
        rss, uss, count = ray_tree_memory()
        record.update(run_s=round(wall, 3), rss_after_map_mb=rss, uss_after_map_mb=uss,
                      processes_after_map=count)
    client.close()
    if args.executor == "ray":
        import ray

        ray.shutdown()  # stops the local instance's processes
    print(json.dumps(record))


if __name__ == "__main__":
    main()
