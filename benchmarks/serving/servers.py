"""Start a model server (`slipstream serve` or `mlflow models serve`) as a user would, time it to
its first ready answer, and stop it. Stdlib only; the process handling is benchmarks/server's.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import serve  # benchmarks/server/serve.py: free_port, stop, tail, tree_rss_mb, Served

PROBES = {"slipstream": "/v2/health/ready", "mlflow": "/ping", "floor": "/ping"}
START_TIMEOUT_S = {"slipstream": 30.0, "mlflow": 120.0, "floor": 30.0}
MODEL_NAME = "bench"  # the name in Slipstream's v2 routes (`--name`)
ServerFailed = serve.ServerFailed


def command(kind: str, bindir: Path, uri: str, port: int) -> list[str]:
    """The command line a user types to serve `uri` on `port` (loopback)."""
    if kind == "slipstream":
        return [str(bindir / "slipstream"), "serve", uri, "--host", "127.0.0.1",
                "--port", str(port), "--name", MODEL_NAME]
    if kind == "mlflow":
        return [str(bindir / "mlflow"), "models", "serve", "-m", uri, "--env-manager", "local",
                "-h", "127.0.0.1", "-p", str(port)]
    if kind == "floor":  # noop_app.py: a no-op handler on slipstream serve's HTTP layer
        return [str(bindir / "python"), str(Path(__file__).resolve().parent / "noop_app.py"),
                "--host", "127.0.0.1", "--port", str(port)]
    raise ValueError(f"unknown model server {kind!r}; expected 'slipstream', 'mlflow' or 'floor'")


def start(kind: str, bindir: Path, uri: str, folder: Path, env: dict[str, str]) -> serve.Served:
    """Start `kind`'s server for `uri`; return once PROBES[kind] answers 200 (start_s set)."""
    port = serve.free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / f"{kind}-serve.log"
    # as in an activated venv: mlflow starts `uvicorn` through bash, found on PATH
    env = {**env, "PATH": f"{bindir}:{env.get('PATH', '')}"}
    with log.open("wb") as out:
        began = time.perf_counter()
        proc = subprocess.Popen(command(kind, bindir, uri, port), stdout=out,
                                stderr=subprocess.STDOUT, env=env, cwd=folder,
                                start_new_session=True)
    served = serve.Served(kind, proc, url, 0.0, log)
    deadline = began + START_TIMEOUT_S[kind]
    while True:
        if _ok(url + PROBES[kind]):
            served.start_s = time.perf_counter() - began
            return served
        if proc.poll() is not None or time.perf_counter() > deadline:
            why = (f"exited with {proc.returncode}" if proc.poll() is not None
                   else f"was not ready within {START_TIMEOUT_S[kind]:.0f} s")
            serve.stop(served)
            raise ServerFailed(f"{kind} model server {why}: {serve.tail(log)}")
        time.sleep(0.01)


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def post_json(url: str, body: dict[str, Any], timeout: float = 30.0) -> Any:
    """POST a JSON body; the parsed JSON answer (raises ServerFailed with the body on non-2xx)."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise ServerFailed(f"POST {url} -> {exc.code}: {exc.read()[:300]!r}") from exc


def get_text(url: str, timeout: float = 10.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return str(response.read().decode())


def predictions(answer: Any) -> list[Any]:
    """The predictions of an /invocations answer ({"predictions": [...]}) or of a v2 infer
    answer ({"outputs": [{"data": [...]}]})."""
    if isinstance(answer, dict) and "predictions" in answer:
        preds = answer["predictions"]
    elif isinstance(answer, dict) and answer.get("outputs"):
        preds = answer["outputs"][0]["data"]
    else:
        preds = answer
    return [p if not isinstance(p, dict) else next(iter(p.values())) for p in preds]


_CPU_CODE = """
import json, sys, psutil
root = psutil.Process(int(sys.argv[1]))
total = 0.0
for p in [root, *root.children(recursive=True)]:
    try:
        t = p.cpu_times()
        total += t.user + t.system
    except psutil.NoSuchProcess:
        pass
print(json.dumps({"cpu_s": total}))
"""


def tree_cpu_s(python: Path, pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants (psutil)."""
    done = subprocess.run([str(python), "-c", _CPU_CODE, str(pid)], capture_output=True,
                          text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise ServerFailed(f"reading CPU times failed: {done.stderr.strip()[-300:]}")
    return float(json.loads(done.stdout)["cpu_s"])
