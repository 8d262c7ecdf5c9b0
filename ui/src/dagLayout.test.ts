import { describe, expect, it } from "vitest";
import type { NodeExecution, SpecNode } from "./api";
import { childCounts, layoutGraph, nestedSpecs } from "./dagLayout";

const spec: SpecNode[] = [
  { id: "n0", kind: "task", name: "prepare", inputs: {}, upstream: [], outputs: ["o0"] },
  { id: "n1", kind: "map", name: "train", inputs: {}, upstream: ["n0"], outputs: ["o0"] },
  { id: "n2", kind: "task", name: "report", inputs: {}, upstream: ["n1"], outputs: ["o0"] },
];
const rec = (node_id: string, parent_id: string | null): NodeExecution => ({
  execution_id: "e", node_id, name: node_id, kind: "task", status: "SUCCEEDED", parent_id,
  task_version: "", started_at: 1, ended_at: 2, duration: 1, inputs: null, outputs: null,
  error: null, attempts: [], cache_status: "off", cache_key: null, detail: {}, run_ids: [],
});

describe("layoutGraph", () => {
  it("lays the spec out left to right along its edges", () => {
    const { nodes, edges } = layoutGraph(spec, [], new Set());
    expect(edges.map((e) => e.id)).toEqual(["n0->n1", "n1->n2"]);
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]));
    expect(x.n0).toBeLessThan(x.n1);
    expect(x.n1).toBeLessThan(x.n2);
  });

  it("shows a fan-out's children only when expanded", () => {
    const records = [rec("n1[0]", "n1"), rec("n1[1]", "n1")];
    expect(layoutGraph(spec, records, new Set()).nodes).toHaveLength(3);
    const open = layoutGraph(spec, records, new Set(["n1"]));
    expect(open.nodes.map((n) => n.id)).toEqual(["n0", "n1", "n2", "n1[0]", "n1[1]"]);
    expect(open.nodes.find((n) => n.id === "n1[1]")?.name).toBe("n1[1] [1]");
    expect(open.nodes.find((n) => n.id === "n1[0]")?.childOf).toBe("n1");
    expect(childCounts(records).get("n1")).toBe(2);
  });
});

describe("sub-workflow children", () => {
  const inner: SpecNode[] = [
    { id: "n0", kind: "task", name: "inc", inputs: {}, upstream: [], outputs: ["o0"] },
    { id: "n1", kind: "task", name: "dbl", inputs: {}, upstream: ["n0"], outputs: ["o0"] },
    { id: "n2", kind: "task", name: "add", inputs: {}, upstream: ["n0", "n1"], outputs: ["o0"] },
  ];
  const outer: SpecNode[] = [
    { id: "n0", kind: "task", name: "prepare", inputs: {}, upstream: [], outputs: ["o0"] },
    { id: "n1", kind: "workflow", name: "inner", inputs: {}, upstream: ["n0"], outputs: ["o0"], subworkflow: { nodes: inner } },
  ];
  const records = [rec("n1/n2", "n1"), rec("n1/n1", "n1"), rec("n1/n0", "n1")];

  it("are joined as the sub-workflow's graph joins them", () => {
    expect(nestedSpecs(outer).get("n1/n2")).toEqual(["n1/n0", "n1/n1"]);
    const { nodes, edges } = layoutGraph(outer, records, new Set(["n1"]));
    expect(edges.map((e) => e.id).sort()).toEqual(["n0->n1", "n1->n1/n0", "n1/n0->n1/n1", "n1/n0->n1/n2", "n1/n1->n1/n2"]);
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]));
    expect(x["n1/n0"]).toBeLessThan(x["n1/n1"]);
    expect(x["n1/n1"]).toBeLessThan(x["n1/n2"]);
  });

  it("hang from their node when an upstream is not drawn (a skipped one)", () => {
    const { edges } = layoutGraph(outer, [rec("n1/n1", "n1")], new Set(["n1"]));
    expect(edges.map((e) => e.id)).toEqual(["n0->n1", "n1->n1/n1"]);
  });
});
