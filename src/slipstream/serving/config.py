"""`ServingConfig`: the inference server's knobs (batching, load shedding, polling, sampling)."""

from __future__ import annotations

from dataclasses import dataclass

from slipstream._core.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class ServingConfig:
    """How a server batches, sheds load, follows its targets and samples requests.

    max_batch_size: most requests merged into one predict call (1 turns batching off).
    max_wait_ms: longest a request lingers for its batch to fill while requests keep arriving;
        a request that arrives alone is never held.
    max_queue: requests waiting for a model beyond which new ones get 503 + Retry-After.
    poll_interval: seconds between reads of the target source (and alias re-resolutions).
    sample_rate: share of requests whose inputs and outputs go to the prediction sink.
    report_interval: seconds between calls of the sink.
    max_body_bytes: largest request body accepted (413 beyond).
    """

    max_batch_size: int = 32
    max_wait_ms: float = 2.0
    max_queue: int = 1024
    poll_interval: float = 1.0
    sample_rate: float = 0.0
    report_interval: float = 1.0
    max_body_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        _at_least("max_batch_size", self.max_batch_size, 1)
        _at_least("max_queue", self.max_queue, 1)
        _at_least("max_body_bytes", self.max_body_bytes, 1)
        for name in ("max_wait_ms", "poll_interval", "report_interval"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise InvalidInputError(f"ServingConfig.{name} must be a number >= 0, not "
                                        f"{value!r}")
        if not isinstance(self.sample_rate, int | float) or not 0.0 <= self.sample_rate <= 1.0:
            raise InvalidInputError(f"ServingConfig.sample_rate must be in [0, 1], not "
                                    f"{self.sample_rate!r}")


def _at_least(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidInputError(f"ServingConfig.{name} must be an integer >= {low}, not {value!r}")
