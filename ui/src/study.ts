/** A study's figures for its charts: best-so-far and the parallel-coordinates axes. */
import type { Trial } from "./api";

/** The best objective after each trial (null until the first COMPLETE one). */
export function bestSoFar(trials: Trial[], direction: "minimize" | "maximize"): (number | null)[] {
  let best: number | null = null;
  return [...trials].sort((a, b) => a.number - b.number).map((t) => {
    if (t.state === "COMPLETE" && t.value !== null) {
      if (best === null || (direction === "minimize" ? t.value < best : t.value > best)) best = t.value;
    }
    return best;
  });
}

export interface Axis { name: string; position: (value: unknown) => number | null; ticks: string[] }

/**
 * One axis per name: numbers spread linearly from their min (0) to max (1), anything else
 * placed by its sorted distinct values. A missing value has no position.
 */
export function axes(rows: Record<string, unknown>[], names: string[]): Axis[] {
  return names.map((name) => {
    const values = rows.map((r) => r[name]).filter((v) => v !== undefined && v !== null);
    if (values.length && values.every((v) => typeof v === "number")) {
      const nums = values as number[];
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      const span = hi - lo || 1;
      const fmt = (n: number) => String(Number(n.toPrecision(3)));
      return { name, ticks: [fmt(lo), fmt(hi)], position: (v) => (typeof v === "number" ? (v - lo) / span : null) };
    }
    const levels = [...new Set(values.map(String))].sort();
    const step = levels.length > 1 ? 1 / (levels.length - 1) : 0;
    return {
      name, ticks: levels,
      position: (v) => (v === undefined || v === null ? null : levels.length > 1 ? levels.indexOf(String(v)) * step : 0.5),
    };
  });
}
