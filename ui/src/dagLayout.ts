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
 * or map's fan-out), drawn below it. A record whose node is not in the spec (an older
 * version's) is drawn too, unconnected, so nothing recorded is hidden.
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
  for (const record of records) {
    const parent = record.parent_id;
    if (meta.has(record.node_id)) continue;
    if (parent === null) add(record.node_id, record.name, record.kind, null);
    else if (expanded.has(parent) && meta.has(parent)) {
      add(record.node_id, `${record.name} ${record.node_id.slice(parent.length)}`.trim(), record.kind, parent);
      g.setEdge(parent, record.node_id);
      edges.push({ id: `${parent}->${record.node_id}`, source: parent, target: record.node_id });
    }
  }
  layout(g);
  const nodes = [...meta.values()].map((m) => {
    const pos = g.node(m.id);
    return { ...m, x: pos.x - NODE_WIDTH / 2, y: pos.y - NODE_HEIGHT / 2 };
  });
  return { nodes, edges };
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
