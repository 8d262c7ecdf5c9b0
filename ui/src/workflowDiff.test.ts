import { describe, expect, it } from "vitest";
import type { SpecNode } from "./api";
import { diffGraphs } from "./workflowDiff";

const node = (id: string, name: string, upstream: string[], version = "v1"): SpecNode =>
  ({ id, kind: "task", name, inputs: {}, upstream, outputs: ["o0"], version });

describe("diffGraphs", () => {
  it("matches nodes by name and occurrence, not by position", () => {
    const before = [node("n0", "inc", []), node("n1", "dbl", ["n0"])];
    const after = [node("n0", "inc", []), node("n1", "dbl", ["n0"]), node("n2", "inc", ["n1"])];
    const { nodes, edges } = diffGraphs(before, after);
    expect(nodes.map((n) => [n.key, n.state])).toEqual([["inc#0", "same"], ["dbl#0", "same"], ["inc#1", "added"]]);
    expect(edges.map((e) => [e.id, e.state])).toEqual([["inc#0->dbl#0", "same"], ["dbl#0->inc#1", "added"]]);
  });

  it("marks changed code or wiring, and removed nodes", () => {
    const before = [node("n0", "load", []), node("n1", "train", ["n0"]), node("n2", "report", ["n1"])];
    const after = [node("n0", "load", [], "v2"), node("n1", "train", [])];
    const states = Object.fromEntries(diffGraphs(before, after).nodes.map((n) => [n.key, n.state]));
    expect(states).toEqual({ "load#0": "changed", "train#0": "changed", "report#0": "removed" });
  });
});
