import { describe, expect, it } from "vitest";
import { logScaleAllowed, smooth, toSeries } from "./series";

describe("smooth", () => {
  it("leaves the series alone at weight 0 and keeps a constant constant", () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    smooth([5, 5, 5, 5], 0.9).forEach((v) => expect(v).toBeCloseTo(5));
  });
  it("is debiased: the first point is the first value", () => {
    const out = smooth([10, 0, 0], 0.5);
    expect(out[0]).toBeCloseTo(10);
    expect(out[1]).toBeCloseTo(10 / 3);
  });
});

describe("toSeries", () => {
  it("orders by step or by time from the first point", () => {
    const pts = [
      { key: "l", value: 2, timestamp: 3000, step: 1 },
      { key: "l", value: 1, timestamp: 1000, step: 0 },
    ];
    expect(toSeries(pts, "step")).toEqual([[0, 1], [1, 2]]);
    expect(toSeries(pts, "time")).toEqual([[0, 2], [1, 2]]);
  });
  it("allows a log scale only for positive values", () => {
    expect(logScaleAllowed([1, 0.1])).toBe(true);
    expect(logScaleAllowed([1, 0])).toBe(false);
  });
});
