"""Sample a process tree's memory and CPU at a fixed interval (psutil; runs in a tool's venv).

    python _sampler.py --interval 0.02      # prints "ready", reads a pid from stdin, samples it

Started by the parent (pipelines_group.py) BEFORE the measured process, so its own start-up is
not in the run: it prints `ready`, the parent starts the tool and writes its pid on stdin. Every
`interval` seconds (a fixed schedule, not a sleep after each sample) it sums the resident memory
of the process and all its descendants, and their CPU time. It stops when the process has exited
(a zombie or gone) and prints one JSON line:

- peak_mb / avg_mb: the largest and the time-weighted mean summed RSS over the samples (MiB);
- peak_cores: the largest CPU use of the tree over any window of at least PEAK_WINDOW_S
  (cores; 1.0 = one core busy). Tree CPU = sum over live processes of user + system + the
  times of their reaped children, so a task process that exits is still counted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time

import psutil

PEAK_WINDOW_S = 1.0


def tree_sample(root: psutil.Process) -> tuple[int, float] | None:
    """(summed RSS in bytes, summed CPU seconds) of root and its descendants; None once it exited."""
    try:
        if root.status() == psutil.STATUS_ZOMBIE:
            return None
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return None
    rss, cpu = 0, 0.0
    for proc in procs:
        try:
            with proc.oneshot():
                rss += proc.memory_info().rss
                t = proc.cpu_times()
                cpu += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:  # exited between listing and reading
            continue
    return rss, cpu


def time_mean(times: list[float], values: list[int]) -> float:
    """Mean of `values` weighted by how long each held (until the next sample), so samples that
    came late on a busy machine weigh as much as the time they cover."""
    if len(values) < 2 or times[-1] <= times[0]:
        return sum(values) / len(values)
    spans = [b - a for a, b in itertools.pairwise(times)]
    return sum(v * d for v, d in zip(values, spans, strict=False)) / (times[-1] - times[0])


def peak_cores(times: list[float], cpus: list[float], window: float = PEAK_WINDOW_S) -> float | None:
    """Largest (cpu[j] - cpu[i]) / (t[j] - t[i]) over windows at least `window` long (the whole
    span when the run is shorter)."""
    if len(times) < 2:
        return None
    if times[-1] - times[0] <= window:
        return (cpus[-1] - cpus[0]) / (times[-1] - times[0])
    best, j = 0.0, 0
    for i in range(len(times)):
        while j < len(times) and times[j] - times[i] < window:
            j += 1
        if j == len(times):
            break
        best = max(best, (cpus[j] - cpus[i]) / (times[j] - times[i]))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between samples")
    args = parser.parse_args()
    print("ready", flush=True)
    line = sys.stdin.readline().strip()
    if not line:
        return  # the parent could not start the tool
    times: list[float] = []
    rss: list[int] = []
    cpus: list[float] = []
    try:
        root = psutil.Process(int(line))
    except psutil.Error:
        root = None
    tick = time.perf_counter()
    while root is not None:
        got = tree_sample(root)
        if got is None:
            break
        times.append(time.perf_counter())
        rss.append(got[0])
        cpus.append(got[1])
        tick += args.interval
        delay = tick - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        else:  # fell behind (a busy machine): keep the schedule from now
            tick = time.perf_counter()
    mib = 2**20
    print(
        json.dumps(
            {
                "samples": len(rss),
                "interval_s": args.interval,
                "peak_mb": round(max(rss) / mib, 1) if rss else None,
                "avg_mb": round(time_mean(times, rss) / mib, 1) if rss else None,
                "peak_cores": round(c, 3) if (c := peak_cores(times, cpus)) is not None else None,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
