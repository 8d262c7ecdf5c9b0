/** How a node or execution shows its state: one of a few display states, each with a colour. */
import type { NodeExecution, Status } from "./api";

export type DisplayState =
  | "pending" | "running" | "succeeded" | "cached" | "failed" | "skipped" | "aborted";

export const STATE_COLOURS: Record<DisplayState, string> = {
  pending: "#9aa4b2",
  running: "#2f7de1",
  succeeded: "#2e9e5b",
  cached: "#8a5cd1",
  failed: "#d64545",
  skipped: "#c9ced6",
  aborted: "#e39b2d",
};

export function statusState(status: Status): DisplayState {
  switch (status) {
    case "QUEUED": return "pending";
    case "RUNNING": return "running";
    case "SUCCEEDED": return "succeeded";
    case "FAILED": case "TIMED_OUT": return "failed";
    case "SKIPPED": return "skipped";
    case "ABORTED": return "aborted";
  }
}

/**
 * A graph node's state: its record's status (a success served from the cache or reused by a
 * recovery is "cached"); a node with no record yet is pending while the execution runs and
 * skipped once it has ended.
 */
export function nodeState(node: NodeExecution | undefined, executionStatus: Status): DisplayState {
  if (!node) {
    return executionStatus === "RUNNING" || executionStatus === "QUEUED" ? "pending" : "skipped";
  }
  if (node.status === "SUCCEEDED" && (node.cache_status === "hit" || node.cache_status === "recovered")) {
    return "cached";
  }
  return statusState(node.status);
}
