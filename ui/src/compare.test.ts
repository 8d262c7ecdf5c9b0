import { describe, expect, it } from "vitest";
import type { Run } from "./api";
import { paramDiff, parseRunIds, scatterPoints } from "./compare";

const run = (id: string, params: Record<string, string>, acc?: number): Run => ({
  info: { run_id: id, experiment_id: "1", run_name: id, user_id: "", status: "FINISHED", start_time: 0,
          end_time: 1, artifact_uri: "", lifecycle_stage: "active", parent_run_id: null, execution_id: null, node_id: null },
  data: { params, tags: {}, metrics: acc === undefined ? [] : [{ key: "acc", value: acc, timestamp: 0, step: 0 }] },
});

describe("paramDiff", () => {
  it("lists every param and marks the ones that differ", () => {
    const rows = paramDiff([run("a", { lr: "0.1", depth: "3" }), run("b", { lr: "0.2", depth: "3", extra: "x" })]);
    expect(rows).toEqual([
      { key: "depth", values: ["3", "3"], differs: false },
      { key: "extra", values: [undefined, "x"], differs: true },
      { key: "lr", values: ["0.1", "0.2"], differs: true },
    ]);
  });
});

describe("scatterPoints", () => {
  it("keeps runs with a numeric param and the metric", () => {
    const pts = scatterPoints([run("a", { lr: "0.1" }, 0.9), run("b", { lr: "high" }, 0.8), run("c", { lr: "0.3" })], "lr", "acc");
    expect(pts.map((p) => [p.run.info.run_id, p.x, p.y])).toEqual([["a", 0.1, 0.9]]);
  });
});

describe("parseRunIds", () => {
  it("wants 2 to 10 distinct ids", () => {
    expect(parseRunIds("a,b,a")).toEqual({ ok: true, ids: ["a", "b"] });
    expect(parseRunIds("a")).toEqual({ ok: false, error: expect.stringContaining("at least 2") });
    expect(parseRunIds(Array.from({ length: 11 }, (_, i) => `r${i}`).join(","))).toEqual({ ok: false, error: expect.stringContaining("at most 10") });
    expect(parseRunIds(null).ok).toBe(false);
  });
});
