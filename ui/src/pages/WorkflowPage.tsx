/** A workflow's versions, the typed inputs of one, and the graph diff between two. */
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../api";
import { DIFF_COLOURS, DiffGraph } from "../components/DiffGraph";
import { InputsForm } from "../components/ExecutionActions";
import { Failure, Loading } from "../components/common";
import { formatTime, shortId } from "../format";
import { diffGraphs, type DiffState } from "../workflowDiff";
import { diffSources } from "../sourceDiff";
import { SourceDiff } from "../components/SourceDiff";

export function WorkflowPage() {
  const { name = "" } = useParams();
  const list = useQuery({ queryKey: ["workflows", name], queryFn: () => api.workflows(name) });
  const versions = list.data?.workflows ?? [];
  const [pickA, setA] = useState<string | null>(null);
  const [pickB, setB] = useState<string | null>(null);
  const b = pickB ?? versions[0]?.version;
  const a = pickA ?? versions[1]?.version ?? versions[0]?.version;
  const before = useQuery({ queryKey: ["workflow", name, a], queryFn: () => api.workflow(name, a), enabled: !!a, staleTime: Infinity });
  const after = useQuery({ queryKey: ["workflow", name, b], queryFn: () => api.workflow(name, b), enabled: !!b, staleTime: Infinity });

  if (list.error) return <Failure error={list.error} />;
  if (!list.data) return <Loading what="the workflow" />;
  const diff = before.data?.spec && after.data?.spec ? diffGraphs(before.data.spec.nodes, after.data.spec.nodes) : null;
  const oldSources = before.data?.spec?.sources;
  const newSources = after.data?.spec?.sources;
  const sourcePairs = oldSources && newSources ? diffSources(oldSources, newSources) : null;
  const counts = (s: DiffState) => diff?.nodes.filter((n) => n.state === s).length ?? 0;
  const inputs = Object.entries(after.data?.spec?.inputs ?? {});
  return (
    <section>
      <header className="page-head"><h1>{name}</h1><Link to={`/executions?workflow=${encodeURIComponent(name)}`}>executions →</Link></header>
      <table className="grid" data-testid="workflow-versions">
        <thead><tr><th>Version</th><th>Registered</th><th>Source</th></tr></thead>
        <tbody>{versions.map((w) => (
          <tr key={w.version} data-row={w.version}><td className="mono">{w.version}</td><td>{formatTime(w.created_at)}</td><td className="muted mono">{w.source_ref}</td></tr>
        ))}</tbody>
      </table>
      <h2>Inputs of {shortId(b ?? "")}</h2>
      <table className="kv" data-testid="workflow-inputs"><tbody>
        {inputs.map(([k, spec]) => <tr key={k}><th>{k}</th><td className="mono">{spec.type}{"default" in spec ? ` = ${JSON.stringify(spec.default)}` : ""}</td></tr>)}
      </tbody></table>
      {after.data?.spec && b && (
        <InputsForm key={b} title={`Launch ${name} ${shortId(b)}`} inputs={after.data.spec.inputs} testId="launch-form"
                    initial={Object.fromEntries(inputs.map(([k, spec]) => [k, spec.default]))}
                    run={(values) => api.launch(name, b, values)} />
      )}
      <h2>Diff between versions</h2>
      <div className="filters">
        <label>from <select aria-label="diff from" value={a ?? ""} onChange={(e) => setA(e.target.value)}>
          {versions.map((w) => <option key={w.version} value={w.version}>{shortId(w.version)} · {formatTime(w.created_at)}</option>)}</select></label>
        <label>to <select aria-label="diff to" value={b ?? ""} onChange={(e) => setB(e.target.value)}>
          {versions.map((w) => <option key={w.version} value={w.version}>{shortId(w.version)} · {formatTime(w.created_at)}</option>)}</select></label>
        {diff && (
          <span data-testid="diff-summary">
            {(["added", "removed", "changed", "same"] as DiffState[]).map((s) => (
              <span key={s} className="chip" style={{ borderColor: DIFF_COLOURS[s] }}>{counts(s)} {s}</span>
            ))}
          </span>
        )}
      </div>
      {before.error || after.error ? <Failure error={before.error ?? after.error} />
        : diff ? <DiffGraph nodes={diff.nodes} edges={diff.edges} /> : <Loading what="the graphs" />}
      <h3>Source</h3>
      {sourcePairs ? <SourceDiff pairs={sourcePairs} />
        : before.data && after.data && <p className="muted" data-testid="source-diff">No source kept for one of these versions (registered before versions kept their code).</p>}
    </section>
  );
}
