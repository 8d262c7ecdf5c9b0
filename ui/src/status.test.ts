import { describe, expect, it } from "vitest";
import type { NodeExecution } from "./api";
import { nodeState } from "./status";

const node = (over: Partial<NodeExecution>): NodeExecution => ({
  execution_id: "e", node_id: "n0", name: "t", kind: "task", status: "SUCCEEDED", parent_id: null,
  task_version: "", started_at: 1, ended_at: 2, duration: 1, inputs: null, outputs: null, error: null,
  attempts: [], cache_status: "off", cache_key: null, detail: {}, run_ids: [], ...over,
});

describe("nodeState", () => {
  it("tells cached successes from computed ones", () => {
    expect(nodeState(node({}), "SUCCEEDED")).toBe("succeeded");
    expect(nodeState(node({ cache_status: "hit" }), "SUCCEEDED")).toBe("cached");
    expect(nodeState(node({ cache_status: "recovered" }), "SUCCEEDED")).toBe("cached");
    expect(nodeState(node({ status: "TIMED_OUT" }), "FAILED")).toBe("failed");
  });
  it("treats a node without a record by the execution's state", () => {
    expect(nodeState(undefined, "RUNNING")).toBe("pending");
    expect(nodeState(undefined, "FAILED")).toBe("skipped");
  });
});
