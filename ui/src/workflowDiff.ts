/**
 * The difference between two versions of a workflow's graph. Node ids are positions (n0, n1…)
 * and shift when a node is inserted, so nodes are matched by task name and occurrence
 * ("train#0", "train#1"). A matched node is "changed" when its task version or its upstream
 * nodes differ.
 */
import type { SpecNode } from "./api";

export type DiffState = "added" | "removed" | "changed" | "same";
export interface DiffNode { key: string; name: string; state: DiffState; before?: SpecNode; after?: SpecNode }
export interface DiffEdge { id: string; source: string; target: string; state: "added" | "removed" | "same" }

function keyed(nodes: SpecNode[]): { byKey: Map<string, SpecNode>; keyOf: Map<string, string> } {
  const seen = new Map<string, number>();
  const byKey = new Map<string, SpecNode>();
  const keyOf = new Map<string, string>();
  for (const node of nodes) {
    const k = seen.get(node.name) ?? 0;
    seen.set(node.name, k + 1);
    const key = `${node.name}#${k}`;
    byKey.set(key, node);
    keyOf.set(node.id, key);
  }
  return { byKey, keyOf };
}

function edgesOf(nodes: SpecNode[], keyOf: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) for (const up of n.upstream) if (keyOf.has(up)) out.add(`${keyOf.get(up)}->${keyOf.get(n.id)}`);
  return out;
}

export function diffGraphs(before: SpecNode[], after: SpecNode[]): { nodes: DiffNode[]; edges: DiffEdge[] } {
  const a = keyed(before);
  const b = keyed(after);
  const ea = edgesOf(before, a.keyOf);
  const eb = edgesOf(after, b.keyOf);
  const nodes: DiffNode[] = [];
  for (const [key, node] of b.byKey) {
    const old = a.byKey.get(key);
    if (!old) { nodes.push({ key, name: node.name, state: "added", after: node }); continue; }
    const ups = (n: SpecNode, m: Map<string, string>) => n.upstream.map((u) => m.get(u)).sort().join(",");
    const changed = old.version !== node.version || ups(old, a.keyOf) !== ups(node, b.keyOf);
    nodes.push({ key, name: node.name, state: changed ? "changed" : "same", before: old, after: node });
  }
  for (const [key, node] of a.byKey) if (!b.byKey.has(key)) nodes.push({ key, name: node.name, state: "removed", before: node });
  const edges: DiffEdge[] = [];
  for (const id of eb) { const [source, target] = id.split("->"); edges.push({ id, source, target, state: ea.has(id) ? "same" : "added" }); }
  for (const id of ea) if (!eb.has(id)) { const [source, target] = id.split("->"); edges.push({ id, source, target, state: "removed" }); }
  return { nodes, edges };
}
