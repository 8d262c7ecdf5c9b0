import { describe, expect, it } from "vitest";
import type { Trial } from "./api";
import { axes, bestSoFar } from "./study";

const trial = (number: number, value: number | null, state = "COMPLETE"): Trial => ({
  number, state, value, params: {}, metrics: {}, intermediate: [], started_at: 0, ended_at: 0,
  node_id: "", run_id: "", error: "",
});

describe("bestSoFar", () => {
  it("follows the direction and ignores trials without a value", () => {
    const trials = [trial(0, 3), trial(1, null, "FAIL"), trial(2, 1), trial(3, 2)];
    expect(bestSoFar(trials, "minimize")).toEqual([3, 3, 1, 1]);
    expect(bestSoFar(trials, "maximize")).toEqual([3, 3, 3, 3]);
    expect(bestSoFar([trial(0, null, "PRUNED")], "minimize")).toEqual([null]);
  });
});

describe("axes", () => {
  it("spreads numbers linearly and places categories by sorted level", () => {
    const [x, kind] = axes([{ x: 0, kind: "b" }, { x: 10, kind: "a" }, { x: 5 }], ["x", "kind"]);
    expect([0, 5, 10].map(x.position)).toEqual([0, 0.5, 1]);
    expect(kind.ticks).toEqual(["a", "b"]);
    expect(kind.position("b")).toBe(1);
    expect(kind.position(undefined)).toBeNull();
  });
});
