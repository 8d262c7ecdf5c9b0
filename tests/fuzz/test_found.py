"""What the fuzzer found, kept as plain regression tests: numbers beyond the store's 64-bit
integer columns were database errors (500) instead of a 400 naming the field."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

HUGE = 3374945369181447735272800256


def _call(url: str, method: str, body: object | None = None) -> tuple[int, dict[str, str]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("PATCH", "/api/v1/runs/some-run", {"end_time": HUGE, "status": "FINISHED"}, "end_time"),
    ("POST", "/api/v1/runs", {"experiment_id": "0", "start_time": -HUGE}, "start_time"),
    ("GET", f"/api/v1/executions?offset={HUGE}", None, "offset"),
    ("GET", f"/api/v1/deployments/any/predictions?since_ms={HUGE}", None, "since_ms"),
    ("PUT", "/api/v1/registered-models/any/aliases/champion", {"version": HUGE}, "version"),
])
def test_an_out_of_range_integer_is_a_400_naming_it(fuzz_server: str, method: str, path: str,
                                                    body: object, field: str) -> None:
    status, answer = _call(f"{fuzz_server}{path}", method, body)
    assert status == 400, answer
    assert answer["error_code"] == "INVALID_PARAMETER_VALUE" and field in answer["message"]
