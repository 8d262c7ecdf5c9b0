"""Every error Slipstream raises, in one hierarchy.

    SlipstreamError                  base of everything below
    ├── UserError                    the user can fix it; shown as one clear message, no traceback
    │   ├── DefinitionError          a task or workflow is defined wrongly (hints, wiring, names)
    │   │   └── WiringTypeError      an output wired into an input of another type
    │   ├── ValueConversionError     a value does not fit its type, or cannot be serialised
    │   ├── InvalidInputError        bad input to a call or a command (unknown kwarg, missing input)
    │   ├── NotFoundError            an id or name that does not exist
    │   ├── ExecutionFailedError     a workflow execution ended FAILED / TIMED_OUT
    │   └── StoreUnavailableError    a metadata or artifact store URL that cannot be reached
    └── InternalError                a bug in Slipstream; report it

`SlipstreamWarning` is the one warning category (e.g. the pickle fallback).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SlipstreamError(Exception):
    """Base class of every Slipstream error."""


class UserError(SlipstreamError):
    """A mistake the user can fix; the CLI prints the message alone."""


class DefinitionError(UserError):
    """A task or workflow definition is wrong (missing hints, bad wiring, unknown names)."""


class WiringTypeError(DefinitionError, TypeError):
    """An output was wired into an input of an incompatible type."""


class ValueConversionError(UserError, TypeError):
    """A value does not fit the declared type, or cannot be serialised."""


class InvalidInputError(UserError, ValueError):
    """Bad input to an API call or CLI command."""


class NotFoundError(UserError, LookupError):
    """An id or name that does not exist."""


class StoreUnavailableError(UserError):
    """A metadata or artifact store that cannot be reached or opened."""


class ExecutionFailedError(UserError):
    """A workflow execution did not succeed; carries the execution id and failing node."""

    def __init__(self, message: str, *, execution_id: str, node_id: str | None = None,
                 status: str = "FAILED") -> None:
        super().__init__(message)
        self.execution_id = execution_id
        self.node_id = node_id
        self.status = status


class InternalError(SlipstreamError):
    """Something that should never happen; a bug in Slipstream."""


class SlipstreamWarning(UserWarning):
    """Warnings Slipstream emits (each once per cause)."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean 'x'?' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""
