import { describe, expect, it } from "vitest";
import { keysNamed, orderByClause, parseFilter } from "./filters";

describe("parseFilter", () => {
  it("accepts the empty filter", () => {
    expect(parseFilter("  ")).toEqual({ ok: true, clauses: [] });
  });

  it("reads metric, param and tag conditions joined by AND", () => {
    const parsed = parseFilter("metrics.acc > 0.9 and params.C = '1.0' AND tags.family LIKE 'tree%'");
    expect(parsed).toEqual({
      ok: true,
      clauses: [
        { entity: "metrics", key: "acc", comparator: ">", value: 0.9 },
        { entity: "params", key: "C", comparator: "=", value: "1.0" },
        { entity: "tags", key: "family", comparator: "LIKE", value: "tree%" },
      ],
    });
  });

  it("reads quoted keys, aliases and IN lists", () => {
    const parsed = parseFilter("metric.`val loss` <= 1e-3 and attributes.status IN ('FINISHED', 'FAILED')");
    expect(parsed.ok && parsed.clauses).toEqual([
      { entity: "metrics", key: "val loss", comparator: "<=", value: 0.001 },
      { entity: "attributes", key: "status", comparator: "IN", value: ["FINISHED", "FAILED"] },
    ]);
  });

  it("names what is wrong", () => {
    expect(parseFilter("acc > 1")).toEqual({ ok: false, error: expect.stringContaining("metrics.acc") });
    expect(parseFilter("metrics.acc > 'high'")).toEqual({ ok: false, error: expect.stringContaining("compare it with a number") });
    expect(parseFilter("params.C = 1")).toEqual({ ok: false, error: expect.stringContaining("quote the value") });
    expect(parseFilter("metrics.a > 1 or metrics.b > 2")).toEqual({ ok: false, error: expect.stringContaining("OR is not supported") });
    expect(parseFilter("metrics.a >")).toEqual({ ok: false, error: expect.stringContaining("at the end") });
    expect(parseFilter("foo.a = 'x'")).toEqual({ ok: false, error: expect.stringContaining("unknown field type") });
  });
});

describe("keysNamed and orderByClause", () => {
  it("lists keys once and quotes odd ones", () => {
    const parsed = parseFilter("metrics.acc > 0.5 and metrics.acc < 0.9 and params.lr = '0.1'");
    expect(parsed.ok && keysNamed(parsed.clauses, "metrics")).toEqual(["acc"]);
    expect(orderByClause("metrics.acc", true)).toBe("metrics.acc DESC");
    expect(orderByClause("metrics.val loss", false)).toBe("metrics.`val loss` ASC");
    expect(orderByClause("attributes.start_time", false)).toBe("attributes.start_time ASC");
  });
});
