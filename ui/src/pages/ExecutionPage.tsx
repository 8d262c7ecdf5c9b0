import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, isLive } from "../api";
import { Dag } from "../components/Dag";
import { ExecutionActions } from "../components/ExecutionActions";
import { Gantt } from "../components/Gantt";
import { NodePanel } from "../components/NodePanel";
import { ValueTable } from "../components/ValuePreview";
import { Failure, Field, Loading, StatusBadge } from "../components/common";
import { elapsed, formatDuration, formatTime, shortId } from "../format";
import { useNow } from "../hooks";

export function ExecutionPage() {
  const { id = "" } = useParams();
  const detail = useQuery({
    queryKey: ["execution", id],
    queryFn: () => api.execution(id),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data.execution.status) ? 1000 : false),
  });
  const execution = detail.data?.execution;
  const workflow = useQuery({
    queryKey: ["workflow", execution?.workflow_name, execution?.workflow_version],
    queryFn: () => api.workflow(execution!.workflow_name, execution!.workflow_version),
    enabled: !!execution,
    staleTime: Infinity,
  });
  const [selected, setSelected] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const live = !!execution && isLive(execution.status);
  const now = useNow(live);
  const records = detail.data?.nodes ?? [];
  const spec = workflow.data?.spec?.nodes ?? [];
  const failedNode = useMemo(() => records.find((r) => r.error)?.node_id ?? null, [records]);

  if (detail.error) return <Failure error={detail.error} />;
  if (!execution) return <Loading what="the execution" />;
  const shown = selected ?? failedNode ?? spec[0]?.id ?? records[0]?.node_id ?? null;
  const toggle = (node: string) => setExpanded((old) => {
    const next = new Set(old);
    if (next.has(node)) next.delete(node); else next.add(node);
    return next;
  });
  const start = execution.started_at ?? execution.created_at;
  const end = execution.ended_at ?? now;
  return (
    <section>
      <header className="page-head">
        <h1>{execution.workflow_name} <span className="mono muted">{shortId(execution.id)}</span></h1>
        <StatusBadge status={execution.status} />
        {live && <span className="live on">● live</span>}
      </header>
      <ExecutionActions execution={execution} workflow={workflow.data} />
      <div className="fields">
        <Field label="version"><span className="mono">{execution.workflow_version}</span></Field>
        <Field label="started">{formatTime(execution.started_at)}</Field>
        <Field label="duration"><span data-testid="duration">{formatDuration(elapsed(execution.started_at, execution.ended_at, now))}</span></Field>
        <Field label="executor">{execution.executor} on {execution.host} (pid {execution.pid})</Field>
        <Field label="nodes"><span data-testid="node-count">{records.filter((r) => r.parent_id === null).length}</span> of {spec.length} run
          {records.length > records.filter((r) => r.parent_id === null).length ? `, ${records.filter((r) => r.parent_id !== null).length} under them` : ""}</Field>
        {execution.recovered_from && (
          <Field label="recovers"><Link to={`/executions/${execution.recovered_from}`} className="mono">{shortId(execution.recovered_from)}</Link></Field>
        )}
      </div>
      {execution.error && (
        <div className="error-box" data-testid="execution-error">
          <strong>{execution.error.type}: {execution.error.message}</strong>
        </div>
      )}
      <div className="split">
        <div className="split-main">
          {workflow.error ? <Failure error={workflow.error} /> : !workflow.data ? <Loading what="the graph" /> : (
            <Dag spec={spec} records={records} executionStatus={execution.status} expanded={expanded}
                 onToggle={toggle} selected={shown} onSelect={setSelected} />
          )}
          <h2>Timeline</h2>
          <Gantt records={records} start={start} end={end} onSelect={setSelected} />
          <div className="io">
            <div><h3>Execution inputs</h3><ValueTable values={execution.inputs} empty="No inputs." /></div>
            <div><h3>Execution outputs</h3><ValueTable values={execution.outputs} empty="No outputs." /></div>
          </div>
        </div>
        {shown && (
          <NodePanel spec={spec.find((n) => n.id === shown)} record={records.find((r) => r.node_id === shown)}
                     executionStatus={execution.status} />
        )}
      </div>
    </section>
  );
}
