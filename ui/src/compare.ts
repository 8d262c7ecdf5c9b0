/** Comparing runs: which params differ, and a param against a metric for a scatter. */
import type { Run } from "./api";

export const MIN_COMPARE = 2;
export const MAX_COMPARE = 10;

export interface DiffRow { key: string; values: (string | undefined)[]; differs: boolean }

/** One row per param any run has (sorted), with each run's value and whether they differ. */
export function paramDiff(runs: Run[]): DiffRow[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.data.params)))].sort();
  return keys.map((key) => {
    const values = runs.map((r) => r.data.params[key]);
    return { key, values, differs: new Set(values).size > 1 };
  });
}

/** (param as a number, latest metric) per run that has both and whose param is numeric. */
export function scatterPoints(runs: Run[], param: string, metric: string): { run: Run; x: number; y: number }[] {
  const points: { run: Run; x: number; y: number }[] = [];
  for (const run of runs) {
    const raw = run.data.params[param];
    const y = run.data.metrics.find((m) => m.key === metric)?.value;
    const x = raw === undefined || raw.trim() === "" ? Number.NaN : Number(raw);
    if (Number.isFinite(x) && y !== undefined && Number.isFinite(y)) points.push({ run, x, y });
  }
  return points;
}

/** The run ids of a ?runs=a,b,c list, checked: 2 to 10 distinct ids. */
export function parseRunIds(text: string | null): { ok: true; ids: string[] } | { ok: false; error: string } {
  const ids = [...new Set((text ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
  if (ids.length < MIN_COMPARE) return { ok: false, error: `pick at least ${MIN_COMPARE} runs to compare (got ${ids.length})` };
  if (ids.length > MAX_COMPARE) return { ok: false, error: `compare at most ${MAX_COMPARE} runs at once (got ${ids.length})` };
  return { ok: true, ids };
}
