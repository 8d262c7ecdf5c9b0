/**
 * A model version's lineage as a graph: the datasets it was trained on -> the run that logged
 * it -> the execution (and workflow version) that run belongs to -> the version -> the
 * deployments whose targets name it (by number, or by an alias pointing at it).
 */
import type { Deployment, ModelVersion } from "./api";

export type LineageNode = { id: string; kind: "dataset" | "run" | "execution" | "version" | "deployment"; label: string; detail: string; href: string | null };
export interface LineageEdge { id: string; source: string; target: string }

/** Whether a target's URI (models:/NAME/N or models:/NAME@ALIAS) names this version. */
export function targetNames(uri: string, version: ModelVersion): boolean {
  const prefix = `models:/${version.name}`;
  if (uri === `${prefix}/${version.version}`) return true;
  if (uri.startsWith(prefix + "@")) return version.aliases.includes(uri.slice(prefix.length + 1));
  return false;
}

export function lineage(version: ModelVersion, deployments: Deployment[]): { nodes: LineageNode[]; edges: LineageEdge[] } {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const link = (source: string, target: string) => edges.push({ id: `${source}->${target}`, source, target });
  const v: LineageNode = { id: "version", kind: "version", label: `${version.name} v${version.version}`, detail: version.aliases.map((a) => "@" + a).join(" ") || version.status, href: null };
  let upstream: string | null = null;
  if (version.execution_id) {
    nodes.push({ id: "execution", kind: "execution", label: `execution ${version.execution_id.slice(0, 8)}`, detail: `node ${version.node_id ?? "?"} · wf ${version.workflow_version?.slice(0, 8) ?? "?"}`, href: `/executions/${version.execution_id}` });
    upstream = "execution";
  }
  if (version.run_id) {
    nodes.push({ id: "run", kind: "run", label: `run ${version.run_id.slice(0, 8)}`, detail: version.model_id ?? "", href: `/runs/${version.run_id}` });
    if (upstream) link("run", upstream);
    upstream = upstream ?? "run";
  }
  const first = version.run_id ? "run" : upstream;
  version.datasets.forEach((d, i) => {
    const id = `dataset-${i}`;
    nodes.push({ id, kind: "dataset", label: d.name, detail: `digest ${d.digest}`, href: null });
    if (first) link(id, first); else link(id, "version");
  });
  nodes.push(v);
  if (upstream) link(upstream, "version");
  for (const d of deployments) {
    const named = d.targets.filter((t) => targetNames(t.model_uri, version));
    if (!named.length) continue;
    const id = `deployment-${d.name}`;
    nodes.push({ id, kind: "deployment", label: d.name, detail: named.map((t) => `${t.label} ${t.traffic_percent}%`).join(", "), href: `/deployments/${d.name}` });
    link("version", id);
  }
  return { nodes, edges };
}
