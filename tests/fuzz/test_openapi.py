"""Schemathesis over the server's own OpenAPI document: for every documented operation,
generated requests (valid ones and invalid ones) never get a 5xx, and every answer has a
documented status, a documented content type and a body matching its schema.

Each operation is fuzzed by its own small Hypothesis test (`_fuzz`), so one failing operation
does not hide the others; the test fails listing each failing operation's first failure. The
default run sends 10 examples per operation and mode (under a minute for the ~150
operations); the `slow` run sends many more. Both print how many cases ran. (Schemathesis's
own pytest integration, `from_fixture`, fails under pytest 9's node ids, hence the plain loop
over `get_all_operations()`.)
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _fuzz(operation: Any, mode: GenerationMode, examples: int) -> tuple[int, str | None]:
    """Run `examples` generated cases of `operation`; (cases sent, first failure or None)."""
    sent = 0

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(checks=CHECKS)

    try:
        check()
    except Unsatisfiable:  # no invalid request exists (every parameter optional and free-form)
        return sent, None
    except (Exception, BaseExceptionGroup) as exc:  # a check failed: report it
        return sent, f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
    return sent, None


def _run(schema: Any, examples: int) -> None:
    cases, failures, operations = 0, [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            sent, failure = _fuzz(operation, mode, examples)
            cases += sent
            if failure:
                failures.append(failure)
    print(f"\nschemathesis: {operations} operations, {cases} cases, {len(failures)} failing")
    assert not failures, "\n\n".join(failures)


def test_every_operation_answers_as_documented(fuzz_schema: Any) -> None:
    _run(fuzz_schema, examples=10)


@pytest.mark.slow
def test_every_operation_answers_as_documented_deeply(fuzz_schema: Any) -> None:
    _run(fuzz_schema, examples=60)
