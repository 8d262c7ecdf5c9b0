/** The execution's graph: nodes coloured by state, fan-outs expandable, click to select. */
import { useMemo } from "react";
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { NodeExecution, SpecNode, Status } from "../api";
import { childCounts, layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "../dagLayout";
import { nodeState, STATE_COLOURS, type DisplayState } from "../status";

type Data = { name: string; kind: string; state: DisplayState; children: number; expanded: boolean; selected: boolean; onToggle: () => void };

function TaskNode({ id, data }: NodeProps<Node<Data>>) {
  return (
    <div className={"dag-node" + (data.selected ? " selected" : "")} data-node={id} data-state={data.state}
         style={{ borderColor: STATE_COLOURS[data.state], width: NODE_WIDTH, height: NODE_HEIGHT }}>
      <Handle type="target" position={Position.Left} />
      <div className="dag-stripe" style={{ background: STATE_COLOURS[data.state] }} />
      <div className="dag-body">
        <div className="dag-name">{data.name}</div>
        <div className="dag-meta">{data.kind} · {data.state}</div>
      </div>
      {data.children > 0 && (
        <button className="dag-expand" title="show the node executions under it"
                onClick={(e) => { e.stopPropagation(); data.onToggle(); }}>
          {data.expanded ? "−" : "+"}{data.children}
        </button>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const NODE_TYPES = { task: TaskNode };

interface Props {
  spec: SpecNode[];
  records: NodeExecution[];
  executionStatus: Status;
  expanded: ReadonlySet<string>;
  onToggle: (id: string) => void;
  selected: string | null;
  onSelect: (id: string) => void;
}

export function Dag({ spec, records, executionStatus, expanded, onToggle, selected, onSelect }: Props) {
  const byId = useMemo(() => new Map(records.map((r) => [r.node_id, r])), [records]);
  const counts = useMemo(() => childCounts(records), [records]);
  const placed = useMemo(() => layoutGraph(spec, records, expanded), [spec, records, expanded]);
  const nodes: Node<Data>[] = placed.nodes.map((n) => ({
    id: n.id,
    type: "task",
    position: { x: n.x, y: n.y },
    draggable: false,
    data: {
      name: n.name, kind: n.kind, state: nodeState(byId.get(n.id), executionStatus),
      children: counts.get(n.id) ?? 0, expanded: expanded.has(n.id), selected: n.id === selected,
      onToggle: () => onToggle(n.id),
    },
  }));
  const edges: Edge[] = placed.edges.map((e) => ({
    ...e, animated: byId.get(e.target)?.status === "RUNNING",
    style: byId.has(e.target) ? undefined : { strokeDasharray: "4 3" },
  }));
  return (
    <div className="dag" data-testid="dag">
      <ReactFlow key={placed.nodes.map((n) => n.id).join(",")} nodes={nodes} edges={edges} nodeTypes={NODE_TYPES} fitView fitViewOptions={{ maxZoom: 1, padding: 0.15 }} minZoom={0.2}
                 nodesConnectable={false} proOptions={{ hideAttribution: true }}
                 onNodeClick={(_, node) => onSelect(node.id)}>
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
