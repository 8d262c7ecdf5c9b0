import { describe, expect, it } from "vitest";
import type { Deployment, ModelVersion } from "./api";
import { lineage, targetNames } from "./lineage";

const version: ModelVersion = {
  name: "churn", version: 2, source: "", creation_timestamp: 0, last_updated_timestamp: 0,
  run_id: "r1234567890", model_id: "m-1", status: "READY", description: "", user_id: "", tags: {},
  aliases: ["champion"], execution_id: "e1234567890", node_id: "n0", workflow_version: "w1",
  datasets: [{ name: "train", digest: "abc", source_type: "code", source: "" }],
};
const deployment = (name: string, uris: string[]): Deployment => ({
  name, revision: 1, status: "ACTIVE", creation_timestamp: 0, last_updated_timestamp: 0,
  description: "", created_by: "",
  targets: uris.map((model_uri, i) => ({ label: i ? "canary" : "primary", model_uri, traffic_percent: i ? 20 : 80 })),
});

describe("lineage", () => {
  it("names a version by number or by an alias pointing at it", () => {
    expect(targetNames("models:/churn/2", version)).toBe(true);
    expect(targetNames("models:/churn@champion", version)).toBe(true);
    expect(targetNames("models:/churn@old", version)).toBe(false);
    expect(targetNames("models:/churn/21", version)).toBe(false);
    expect(targetNames("models:/other/2", version)).toBe(false);
  });

  it("goes from dataset through run and execution to the version and its deployments", () => {
    const { nodes, edges } = lineage(version, [deployment("svc", ["models:/churn@champion"]), deployment("x", ["models:/churn/1"])]);
    expect(nodes.map((n) => n.id)).toEqual(["execution", "run", "dataset-0", "version", "deployment-svc"]);
    expect(edges.map((e) => e.id)).toEqual(["run->execution", "dataset-0->run", "execution->version", "version->deployment-svc"]);
  });
});
