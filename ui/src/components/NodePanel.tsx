/** One node: its state, inputs and outputs, error and traceback, attempts, cache and runs. */
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, isLive, type NodeExecution, type SpecNode, type Status } from "../api";
import { formatDuration, formatTime, shortId } from "../format";
import { nodeState } from "../status";
import { Field, StatusBadge } from "./common";
import { ValueTable } from "./ValuePreview";

export function NodePanel({ spec, record, executionStatus }: {
  spec: SpecNode | undefined; record: NodeExecution | undefined; executionStatus: Status;
}) {
  const name = record?.name ?? spec?.name ?? "?";
  const state = nodeState(record, executionStatus);
  if (!record) {
    return (
      <aside className="panel" data-testid="node-panel">
        <h2>{name}</h2>
        <p className="muted">Not run{state === "skipped" ? ": skipped (an upstream node did not succeed)" : " yet"}.</p>
      </aside>
    );
  }
  return (
    <aside className="panel" data-testid="node-panel">
      <h2>{name} <StatusBadge status={record.status} state={state} /></h2>
      <div className="fields">
        <Field label="node">{record.node_id} ({record.kind})</Field>
        <Field label="duration">{formatDuration(record.duration)}</Field>
        <Field label="cache"><span data-testid="cache">{record.cache_status}</span>{record.cache_key ? <span className="muted mono"> {shortId(record.cache_key, 12)}</span> : null}</Field>
        <Field label="task version"><span className="mono">{record.task_version || "—"}</span></Field>
        {record.run_ids.length > 0 && (
          <Field label="runs">{record.run_ids.map((id) => <Link key={id} to={`/runs/${id}`} className="mono">{shortId(id)} </Link>)}</Field>
        )}
      </div>
      {record.error && (
        <div className="error-box" data-testid="node-error">
          <strong>{record.error.type}: {record.error.message}</strong> <span className="muted">({record.error.kind} error)</span>
          {record.error.traceback && <pre className="traceback">{record.error.traceback}</pre>}
        </div>
      )}
      <h3>Inputs</h3>
      <ValueTable values={record.inputs} empty="No inputs." />
      <h3>Outputs</h3>
      <ValueTable values={record.outputs} empty="No outputs." />
      <h3>Attempts ({record.attempts.length})</h3>
      <table className="grid small" data-testid="attempts">
        <thead><tr><th>#</th><th>status</th><th>started</th><th>duration</th><th>worker</th><th>error</th></tr></thead>
        <tbody>
          {record.attempts.map((a) => (
            <tr key={a.number}>
              <td>{a.number}</td>
              <td><StatusBadge status={a.status} /></td>
              <td>{formatTime(a.started_at)}</td>
              <td>{formatDuration(a.ended_at !== null ? a.ended_at - a.started_at : null)}</td>
              <td className="muted">{a.worker || "—"}</td>
              <td>{a.error ? `${a.error.type}: ${a.error.message}` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <NodeLogs record={record} />
    </aside>
  );
}

/** What an attempt printed and logged (the latest attempt unless another is picked). */
function NodeLogs({ record }: { record: NodeExecution }) {
  const [picked, setPicked] = useState<number | null>(null);
  const attempts = record.attempts;
  const number = picked ?? attempts[attempts.length - 1]?.number ?? null;
  const attempt = attempts.find((a) => a.number === number);
  const running = isLive(record.status);
  const text = useQuery({
    queryKey: ["log", record.execution_id, record.node_id, number],
    queryFn: () => api.nodeLog(record.execution_id, record.node_id, number!),
    enabled: number !== null && (!!attempt?.log || running),
    refetchInterval: running ? 2000 : false,
  });
  if (number === null) return null;
  return (
    <div>
      <h3>Logs
        {attempts.length > 1 && (
          <select aria-label="log attempt" className="inline" value={number} onChange={(e) => setPicked(Number(e.target.value))}>
            {attempts.map((a) => <option key={a.number} value={a.number}>attempt {a.number}</option>)}
          </select>
        )}
      </h3>
      {!attempt?.log && !running ? <p className="muted">Nothing printed or logged.</p>
        : text.error ? <p className="error">{String(text.error)}</p>
        : <pre className="value log" data-testid="node-log">{text.data ?? "…"}</pre>}
      {attempt?.log?.omitted ? <p className="muted small">{attempt.log.omitted} bytes left out of the middle</p> : null}
    </div>
  );
}
