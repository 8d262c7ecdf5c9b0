import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { ColumnDef } from "@tanstack/react-table";
import { api, isLive, type Execution } from "../api";
import { DataTable } from "../components/DataTable";
import { Failure, StatusBadge } from "../components/common";
import { elapsed, formatDuration, formatTime, shortId } from "../format";
import { useNow } from "../hooks";

const STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "SKIPPED", "ABORTED"];
export const SINCE: Record<string, number> = { "1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 };
const LIVE_POLL_MS = 1000;
const IDLE_POLL_MS = 5000;

export function ExecutionsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const workflow = params.get("workflow") ?? "";
  const status = params.get("status") ?? "";
  const since = params.get("since") ?? "";
  const limit = Number(params.get("limit") ?? 100);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    if (key !== "limit") next.delete("limit");
    setParams(next, { replace: true });
  };

  const workflows = useQuery({ queryKey: ["workflows"], queryFn: () => api.workflows() });
  const names = useMemo(
    () => [...new Set((workflows.data?.workflows ?? []).map((w) => w.name))].sort(),
    [workflows.data]);
  const executions = useQuery({
    queryKey: ["executions", workflow, status, since, limit],
    queryFn: () => api.executions({
      workflow: workflow || undefined, status: status || undefined, limit,
      since: since && SINCE[since] ? Date.now() / 1000 - SINCE[since] : undefined,
    }),
    // Live updates: fast while anything listed is still running, slower otherwise (new ones)
    refetchInterval: (q) => (q.state.data?.executions.some((e) => isLive(e.status)) ? LIVE_POLL_MS : IDLE_POLL_MS),
  });
  const rows = executions.data?.executions ?? [];
  const live = rows.some((e) => isLive(e.status));
  const now = useNow(live);

  const columns = useMemo<ColumnDef<Execution, unknown>[]>(() => [
    { id: "id", header: "Execution", cell: ({ row }) => <Link to={`/executions/${row.original.id}`} className="mono">{shortId(row.original.id)}</Link> },
    { id: "status", header: "Status", cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    { id: "workflow", header: "Workflow", cell: ({ row }) => row.original.workflow_name },
    { id: "version", header: "Version", cell: ({ row }) => <span className="mono">{shortId(row.original.workflow_version)}</span> },
    { id: "start", header: "Started", cell: ({ row }) => formatTime(row.original.started_at ?? row.original.created_at) },
    { id: "duration", header: "Duration", cell: ({ row }) => <span className="num">{formatDuration(elapsed(row.original.started_at, row.original.ended_at, now))}</span> },
    { id: "executor", header: "Executor", cell: ({ row }) => <span className="muted">{row.original.executor}</span> },
  ], [now]);

  return (
    <section>
      <header className="page-head">
        <h1>Executions</h1>
        <span className={live ? "live on" : "live"} data-testid="live">{live ? "● live" : "idle"}</span>
      </header>
      <div className="filters">
        <label>Workflow
          <select aria-label="workflow" value={workflow} onChange={(e) => set("workflow", e.target.value)}>
            <option value="">all</option>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <label>Status
          <select aria-label="status" value={status} onChange={(e) => set("status", e.target.value)}>
            <option value="">all</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Started
          <select aria-label="since" value={since} onChange={(e) => set("since", e.target.value)}>
            <option value="">any time</option>
            {Object.keys(SINCE).map((s) => <option key={s} value={s}>last {s}</option>)}
          </select>
        </label>
        <span className="muted count" data-testid="count">{rows.length} execution{rows.length === 1 ? "" : "s"}</span>
      </div>
      {executions.error && <Failure error={executions.error} />}
      <DataTable data={rows} columns={columns} rowId={(e) => e.id} testId="executions"
                 onRowClick={(e) => navigate(`/executions/${e.id}`)} />
      {rows.length >= limit && limit < 1000 && (
        <button onClick={() => set("limit", String(Math.min(limit * 2, 1000)))}>Show more</button>
      )}
    </section>
  );
}
