/** Positions for the execution graph: the workflow's compiled nodes, laid out by dagre. */
import { Graph, layout } from "@dagrejs/dagre";
import type { NodeExecution, SpecNode } from "./api";

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 54;

export interface PlacedNode { id: string; name: string; kind: string; x: number; y: number; childOf: string | null }
export interface PlacedEdge { id: string; source: string; target: string }

/**
 * The graph to draw: every node of the spec (edges from `upstream`), plus, for each node in
 * `expanded`, the node executions recorded under it (a sub-workflow's nodes, a dynamic task's
 * or map's fan-out), drawn below it. A sub-workflow's nodes are joined as its own graph joins
 * them (its spec's `upstream`, ids prefixed "n3/"), those without an upstream shown from the
 * node itself; a fan-out's items each hang from their node. A record whose node is not in the
 * spec (an older version's) is drawn too, unconnected, so nothing recorded is hidden.
 */
export function layoutGraph(
  spec: SpecNode[],
  records: NodeExecution[],
  expanded: ReadonlySet<string>,
): { nodes: PlacedNode[]; edges: PlacedEdge[] } {
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const meta = new Map<string, Omit<PlacedNode, "x" | "y">>();
  const edges: PlacedEdge[] = [];
  const add = (id: string, name: string, kind: string, childOf: string | null) => {
    meta.set(id, { id, name, kind, childOf });
    g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  };
  for (const node of spec) add(node.id, node.name, node.kind, null);
  for (const node of spec) {
    for (const up of node.upstream) {
      if (meta.has(up)) {
        g.setEdge(up, node.id);
        edges.push({ id: `${up}->${node.id}`, source: up, target: node.id });
      }
    }
  }
  const nested = nestedSpecs(spec);
  const children: NodeExecution[] = [];
  const depth = (r: NodeExecution) => r.node_id.split("/").length;
  for (const record of [...records].sort((a, b) => depth(a) - depth(b))) {
    const parent = record.parent_id;
    if (meta.has(record.node_id)) continue;
    if (parent === null) add(record.node_id, record.name, record.kind, null);
    else if (expanded.has(parent) && meta.has(parent)) {
      add(record.node_id, `${record.name} ${record.node_id.slice(parent.length)}`.trim(), record.kind, parent);
      children.push(record);
    }
  }
  const link = (source: string, target: string) => {
    g.setEdge(source, target);
    edges.push({ id: `${source}->${target}`, source, target });
  };
  for (const child of children) {
    const parent = child.parent_id!;
    const ups = (nested.get(child.node_id) ?? []).filter((up) => meta.get(up)?.childOf === parent);
    if (ups.length === 0) link(parent, child.node_id);
    else for (const up of ups) link(up, child.node_id);
  }
  layout(g);
  const nodes = [...meta.values()].map((m) => {
    const pos = g.node(m.id);
    return { ...m, x: pos.x - NODE_WIDTH / 2, y: pos.y - NODE_HEIGHT / 2 };
  });
  return { nodes, edges };
}

/** The upstream ids (execution-wide) of every node inside a sub-workflow, at any depth:
 * "n3/n1" -> ["n3/n0"]. */
export function nestedSpecs(spec: SpecNode[], prefix = "", out = new Map<string, string[]>()): Map<string, string[]> {
  for (const node of spec) {
    const id = prefix + node.id;
    if (prefix) out.set(id, node.upstream.map((up) => prefix + up));
    if (node.subworkflow) nestedSpecs(node.subworkflow.nodes, id + "/", out);
  }
  return out;
}

/** How many node executions are recorded under each node (its children). */
export function childCounts(records: NodeExecution[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.parent_id !== null) counts.set(r.parent_id, (counts.get(r.parent_id) ?? 0) + 1);
  }
  return counts;
}

/** Left-to-right positions for any small graph (the lineage view): top-left corners. */
export function layoutPlain(
  ids: string[], edges: { source: string; target: string }[], width = NODE_WIDTH, height = NODE_HEIGHT,
): Map<string, { x: number; y: number }> {
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 50, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  ids.forEach((id) => g.setNode(id, { width, height }));
  edges.forEach((e) => g.setEdge(e.source, e.target));
  layout(g);
  return new Map(ids.map((id) => {
    const p = g.node(id);
    return [id, { x: p.x - width / 2, y: p.y - height / 2 }];
  }));
}
