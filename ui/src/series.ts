/** Metric series for the charts: smoothing and the log-scale guard. */
import type { Metric } from "./api";

/**
 * Exponential moving average with TensorBoard's debiasing: weight 0 is the raw series, 0.99
 * nearly flat. Non-finite points pass through and do not disturb the average.
 */
export function smooth(values: number[], weight: number): number[] {
  if (weight <= 0) return values.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    count += 1;
    return last / (1 - Math.pow(w, count));
  });
}

export type XAxis = "step" | "time";

/** x and y arrays for uPlot: by step, or by wall-clock time in seconds since the first point. */
export function toSeries(points: Metric[], axis: XAxis): [number[], number[]] {
  const sorted = [...points].sort((a, b) =>
    axis === "step" ? a.step - b.step || a.timestamp - b.timestamp : a.timestamp - b.timestamp);
  const t0 = sorted.length ? sorted[0].timestamp : 0;
  const xs = sorted.map((p) => (axis === "step" ? p.step : (p.timestamp - t0) / 1000));
  return [xs, sorted.map((p) => p.value)];
}

/** A log scale needs every value above zero. */
export function logScaleAllowed(values: number[]): boolean {
  return values.length > 0 && values.every((v) => !Number.isFinite(v) || v > 0);
}
