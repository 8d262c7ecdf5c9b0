import { describe, expect, it } from "vitest";
import { elapsed, formatDuration, formatNumber } from "./format";

describe("formatDuration", () => {
  it("picks the unit by size", () => {
    expect(formatDuration(0.0014)).toBe("1 ms");
    expect(formatDuration(0.85)).toBe("850 ms");
    expect(formatDuration(2.5)).toBe("2.50 s");
    expect(formatDuration(12.34)).toBe("12.3 s");
    expect(formatDuration(245)).toBe("4 m 05 s");
    expect(formatDuration(7380)).toBe("2 h 03 m");
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe("3 d 4 h");
  });
  it("shows a dash for missing or impossible values", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(-1)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("elapsed", () => {
  it("runs until now while not ended", () => {
    expect(elapsed(100, null, 130)).toBe(30);
    expect(elapsed(100, 110, 130)).toBe(10);
    expect(elapsed(null, 110, 130)).toBeNull();
  });
});

describe("formatNumber", () => {
  it("keeps integers and rounds the rest", () => {
    expect(formatNumber(3)).toBe("3");
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(0.00001234)).toBe("1.234e-5");
    expect(formatNumber(null)).toBe("");
  });
});
