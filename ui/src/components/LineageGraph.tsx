/** A lineage graph (datasets -> run -> execution -> version -> deployments); nodes link out. */
import { Background, Handle, Position, ReactFlow, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useNavigate } from "react-router";
import { layoutPlain } from "../dagLayout";
import type { LineageEdge, LineageNode } from "../lineage";

const WIDTH = 200;
const HEIGHT = 50;
const COLOURS: Record<LineageNode["kind"], string> = {
  dataset: "#e39b2d", run: "#2f7de1", execution: "#2e9e5b", version: "#8a5cd1", deployment: "#d64545",
};

function Box({ data }: NodeProps<Node<LineageNode>>) {
  return (
    <div className="dag-node" data-lineage={data.kind} style={{ borderColor: COLOURS[data.kind], width: WIDTH, height: HEIGHT }}>
      <Handle type="target" position={Position.Left} />
      <div className="dag-stripe" style={{ background: COLOURS[data.kind] }} />
      <div className="dag-body">
        <div className="dag-name">{data.label}</div>
        <div className="dag-meta">{data.kind} · {data.detail}</div>
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const TYPES = { box: Box };

export function LineageGraph({ nodes, edges }: { nodes: LineageNode[]; edges: LineageEdge[] }) {
  const navigate = useNavigate();
  const placed = layoutPlain(nodes.map((n) => n.id), edges, WIDTH, HEIGHT);
  const flowNodes: Node<LineageNode>[] = nodes.map((n) => ({ id: n.id, type: "box", data: n, position: placed.get(n.id)!, draggable: false }));
  return (
    <div className="dag lineage" data-testid="lineage">
      <ReactFlow key={nodes.map((n) => n.id).join(",")} nodes={flowNodes} edges={edges} nodeTypes={TYPES}
                 fitView fitViewOptions={{ maxZoom: 1, padding: 0.1 }} nodesConnectable={false}
                 proOptions={{ hideAttribution: true }}
                 onNodeClick={(_, node) => { if (node.data.href) navigate(node.data.href); }}>
        <Background gap={16} />
      </ReactFlow>
    </div>
  );
}
