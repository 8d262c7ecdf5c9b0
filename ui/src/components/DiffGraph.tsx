/** Two versions of a workflow's graph in one drawing, each node and edge coloured by change. */
import { Background, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { layoutPlain } from "../dagLayout";
import type { DiffEdge, DiffNode, DiffState } from "../workflowDiff";

const W = 180;
const H = 46;
export const DIFF_COLOURS: Record<DiffState, string> = { added: "#2e9e5b", removed: "#d64545", changed: "#e39b2d", same: "#9aa4b2" };

type Data = { name: string; state: DiffState; detail: string };

function Box({ id, data }: NodeProps<Node<Data>>) {
  return (
    <div className="dag-node" data-diff={data.state} data-key={id}
         style={{ borderColor: DIFF_COLOURS[data.state], width: W, height: H, opacity: data.state === "removed" ? 0.7 : 1 }}>
      <Handle type="target" position={Position.Left} />
      <div className="dag-stripe" style={{ background: DIFF_COLOURS[data.state] }} />
      <div className="dag-body"><div className="dag-name">{data.name}</div><div className="dag-meta">{data.state} · {data.detail}</div></div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const TYPES = { box: Box };

export function DiffGraph({ nodes, edges }: { nodes: DiffNode[]; edges: DiffEdge[] }) {
  const placed = layoutPlain(nodes.map((n) => n.key), edges, W, H);
  const flowNodes: Node<Data>[] = nodes.map((n) => ({
    id: n.key, type: "box", position: placed.get(n.key)!, draggable: false,
    data: { name: n.name, state: n.state, detail: (n.after ?? n.before)?.kind ?? "" },
  }));
  const flowEdges: Edge[] = edges.map((e) => ({
    id: e.id, source: e.source, target: e.target,
    style: { stroke: e.state === "same" ? "#b1b7c3" : DIFF_COLOURS[e.state], strokeDasharray: e.state === "removed" ? "4 3" : undefined },
  }));
  return (
    <div className="dag" data-testid="diff-graph">
      <ReactFlow key={nodes.map((n) => n.key).join(",")} nodes={flowNodes} edges={flowEdges} nodeTypes={TYPES}
                 fitView fitViewOptions={{ maxZoom: 1, padding: 0.1 }} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
        <Background gap={16} />
      </ReactFlow>
    </div>
  );
}
