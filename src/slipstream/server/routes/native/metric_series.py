"""/api/v1/runs/{run_id}/metric-series: one metric's history cut down for a chart.

A chart is a few hundred pixels wide; 100,000 points drawn there are mostly overdraw and a slow
page. The points are split into `max_points / 2` runs of consecutive points (by step, then
time) and each run keeps its lowest and highest point, in order, so spikes and the curve's
envelope survive; the first and last points are always kept. Histories that already fit come
back whole. `metric-history` stays the way to read every point.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from slipstream.entities import Metric
from slipstream.metadata.rest.codec import metric_json
from slipstream.server.routes.native.deps import Tracking, answer
from slipstream.server.routes.native.schemas import ERRORS, MetricOut

router = APIRouter(prefix="/runs", tags=["runs"], responses=ERRORS)


class MetricSeries(BaseModel):
    metrics: list[MetricOut] = Field(description="The points kept, by step then timestamp.")
    total: int = Field(description="How many points the history holds.")
    downsampled: bool = Field(description="Whether points were left out.")


@router.get("/{run_id}/metric-series", response_model=MetricSeries,
            summary="Metric history, downsampled for charts")
def metric_series(
    store: Tracking, run_id: str,
    key: Annotated[str, Query(description="The metric name.")],
    max_points: Annotated[int, Query(ge=4, le=100_000, description="Most points to return.")]
    = 2000,
) -> Response:
    """At most `max_points` points of one metric: each stretch of the history keeps its
    minimum and maximum (see the module docstring)."""
    points, _ = store.get_metric_history(run_id, key, None, None)
    kept = downsample(points, max_points)
    return answer({"metrics": [metric_json(m) for m in kept], "total": len(points),
                   "downsampled": len(kept) < len(points)})


def downsample(points: list[Metric], max_points: int) -> list[Metric]:
    """Min and max of each of `max_points // 2` equal stretches, in order (ends kept)."""
    if len(points) <= max_points:
        return points
    buckets = max(1, (max_points - 2) // 2)
    inner = points[1:-1]
    kept: list[Metric] = [points[0]]
    for b in range(buckets):
        chunk = inner[b * len(inner) // buckets:(b + 1) * len(inner) // buckets]
        if not chunk:
            continue
        low = min(range(len(chunk)), key=lambda i: chunk[i].value)
        high = max(range(len(chunk)), key=lambda i: chunk[i].value)
        kept.extend(chunk[i] for i in sorted({low, high}))
    kept.append(points[-1])
    return kept
