/**
 * An experiment's runs: the API sorts and filters (its filter syntax, checked here first);
 * pages of 500 are loaded on demand and the table is virtualised. Columns: the run's fields,
 * then every param, metric and (non-system) tag seen in the loaded runs or named by the filter.
 */
import { useMemo, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import type { ColumnDef } from "@tanstack/react-table";
import { api, type Run } from "../api";
import { DataTable, type Sort } from "../components/DataTable";
import { Failure, StatusBadge } from "../components/common";
import { keysNamed, orderByClause, parseFilter } from "../filters";
import { MAX_COMPARE, MIN_COMPARE } from "../compare";
import { formatDuration, formatNumber, formatTime } from "../format";

const PAGE = 500;
const RUN_STATUS: Record<string, string> = { FINISHED: "SUCCEEDED", FAILED: "FAILED", RUNNING: "RUNNING", SCHEDULED: "QUEUED", KILLED: "ABORTED" };

function metric(run: Run, key: string): number | undefined {
  return run.data.metrics.find((m) => m.key === key)?.value;
}

export function RunsPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const sortParam = params.get("sort");
  const sort: Sort | null = sortParam ? { column: sortParam.replace(/^-/, ""), descending: sortParam.startsWith("-") } : null;
  const [draft, setDraft] = useState(filter);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const toggle = (runId: string) => setPicked((old) => {
    const next = new Set(old);
    if (next.has(runId)) next.delete(runId); else next.add(runId);
    return next;
  });
  const parsed = parseFilter(draft);

  const experiment = useQuery({ queryKey: ["experiment", id], queryFn: () => api.experiment(id) });
  const runs = useInfiniteQuery({
    queryKey: ["runs", id, filter, sortParam],
    queryFn: ({ pageParam }) => api.searchRuns({
      experiment_ids: [id], filter, max_results: PAGE, page_token: pageParam,
      order_by: sort ? [orderByClause(sort.column, sort.descending)] : [],
    }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_page_token ?? undefined,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((p) => p.runs ?? []) ?? [], [runs.data]);

  const columns = useMemo<ColumnDef<Run, unknown>[]>(() => {
    const paramKeys = new Set<string>();
    const metricKeys = new Set<string>();
    for (const r of rows) {
      Object.keys(r.data.params).forEach((k) => paramKeys.add(k));
      r.data.metrics.forEach((m) => metricKeys.add(m.key));
    }
    const applied = parseFilter(filter);
    const tagKeys = new Set(applied.ok ? keysNamed(applied.clauses, "tags") : []);
    for (const r of rows) Object.keys(r.data.tags).filter((k) => !k.startsWith("mlflow.")).forEach((k) => tagKeys.add(k));
    return [
      { id: "pick", header: "", cell: ({ row }) => (
        <input type="checkbox" aria-label={`pick ${row.original.info.run_name}`} checked={picked.has(row.original.info.run_id)}
               onClick={(e) => e.stopPropagation()} onChange={() => toggle(row.original.info.run_id)} />
      ) },
      { id: "attributes.run_name", header: "Run", cell: ({ row }) => <Link to={`/runs/${row.original.info.run_id}`}>{row.original.info.run_name || row.original.info.run_id.slice(0, 8)}</Link> },
      { id: "attributes.status", header: "Status", cell: ({ row }) => <StatusBadge status={RUN_STATUS[row.original.info.status] ?? "QUEUED"} /> },
      { id: "attributes.start_time", header: "Started", cell: ({ row }) => formatTime(row.original.info.start_time / 1000) },
      { id: "duration", header: "Duration", cell: ({ row }) => formatDuration(row.original.info.end_time ? (row.original.info.end_time - row.original.info.start_time) / 1000 : null) },
      ...[...paramKeys].sort().map((k): ColumnDef<Run, unknown> => ({ id: `params.${k}`, header: k, cell: ({ row }) => row.original.data.params[k] ?? "" })),
      ...[...metricKeys].sort().map((k): ColumnDef<Run, unknown> => ({ id: `metrics.${k}`, header: k, cell: ({ row }) => <span className="num">{formatNumber(metric(row.original, k))}</span> })),
      ...[...tagKeys].sort().map((k): ColumnDef<Run, unknown> => ({ id: `tags.${k}`, header: `tag ${k}`, cell: ({ row }) => row.original.data.tags[k] ?? "" })),
    ];
  }, [rows, filter, picked]);

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) { if (v) next.set(k, v); else next.delete(k); }
    setParams(next, { replace: true });
  };
  const onSort = (column: string) => {
    const descending = sort?.column === column ? !sort.descending : true;
    update({ sort: (descending ? "-" : "") + column });
  };
  const headerGroupsHint = rows.length && runs.hasNextPage ? "+" : "";

  return (
    <section>
      <header className="page-head">
        <h1>{experiment.data?.name ?? "Experiment"} <span className="muted">runs</span></h1>
      </header>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); if (parsed.ok) update({ filter: draft.trim() }); }}>
        <input className="filter-input" aria-label="filter" value={draft} spellCheck={false}
               placeholder="metrics.acc > 0.9 and params.C = '1.0'" onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" disabled={!parsed.ok}>Apply</button>
        {filter && <button type="button" onClick={() => { setDraft(""); update({ filter: "" }); }}>Clear</button>}
        <button type="button" disabled={picked.size < MIN_COMPARE || picked.size > MAX_COMPARE}
                title={`pick ${MIN_COMPARE} to ${MAX_COMPARE} runs`}
                onClick={() => navigate(`/compare?runs=${[...picked].join(",")}`)}>Compare ({picked.size})</button>
        <span className="muted count" data-testid="count">{rows.length}{headerGroupsHint} run{rows.length === 1 ? "" : "s"}</span>
      </form>
      {!parsed.ok && <p className="error" data-testid="filter-error">{parsed.error}</p>}
      {runs.error && <Failure error={runs.error} />}
      <DataTable data={rows} columns={columns} rowId={(r) => r.info.run_id} testId="runs"
                 sort={sort} onSort={onSort} sortable={(c) => c !== "duration" && c !== "pick"}
                 onRowClick={(r) => navigate(`/runs/${r.info.run_id}`)} />
      {runs.hasNextPage && (
        <button onClick={() => runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>Load {PAGE} more</button>
      )}
    </section>
  );
}
