/** A registered model: versions, aliases and their history, a version's lineage; move an alias. */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../api";
import { LineageGraph } from "../components/LineageGraph";
import { Failure, Loading } from "../components/common";
import { formatTime, shortId } from "../format";
import { lineage } from "../lineage";

export function ModelPage() {
  const { name = "" } = useParams();
  const queries = useQueryClient();
  const model = useQuery({ queryKey: ["model", name], queryFn: () => api.model(name) });
  const versions = useQuery({ queryKey: ["model-versions", name], queryFn: () => api.modelVersions(name) });
  const history = useQuery({ queryKey: ["alias-history", name], queryFn: () => api.aliasHistory(name) });
  const deployments = useQuery({ queryKey: ["deployments"], queryFn: api.deployments });
  const [picked, setPicked] = useState<number | null>(null);
  const [alias, setAlias] = useState("champion");
  const [target, setTarget] = useState<number | null>(null);
  const move = useMutation({
    mutationFn: ({ alias, version }: { alias: string; version: number }) => api.setAlias(name, alias, version),
    onSuccess: () => {
      for (const key of ["model", "model-versions", "alias-history"]) queries.invalidateQueries({ queryKey: [key, name] });
    },
  });

  if (model.error) return <Failure error={model.error} />;
  if (!model.data || !versions.data) return <Loading what="the model" />;
  const all = [...versions.data.model_versions].sort((a, b) => b.version - a.version);
  const shown = all.find((v) => v.version === picked) ?? all[0];
  const graph = shown ? lineage(shown, deployments.data?.deployments ?? []) : null;
  const chosen = target ?? all[0]?.version ?? 1;
  return (
    <section>
      <header className="page-head">
        <h1>{model.data.name}</h1>
        <span data-testid="aliases">{Object.entries(model.data.aliases).map(([a, v]) => <span key={a} className="chip">@{a} → v{v}</span>)}</span>
      </header>
      {model.data.description && <p>{model.data.description}</p>}
      <div className="split">
        <div className="split-main">
          <h2>Versions</h2>
          <table className="grid" data-testid="versions">
            <thead><tr><th>Version</th><th>Status</th><th>Registered</th><th>Run</th><th>Execution</th><th>Aliases</th></tr></thead>
            <tbody>
              {all.map((v) => (
                <tr key={v.version} data-row={v.version} className={"clickable" + (v === shown ? " picked" : "")} onClick={() => setPicked(v.version)}>
                  <td>v{v.version}</td>
                  <td>{v.status}</td>
                  <td>{formatTime(v.creation_timestamp / 1000)}</td>
                  <td>{v.run_id ? <Link to={`/runs/${v.run_id}`} className="mono">{shortId(v.run_id)}</Link> : "—"}</td>
                  <td>{v.execution_id ? <Link to={`/executions/${v.execution_id}`} className="mono">{shortId(v.execution_id)}</Link> : "—"}</td>
                  <td>{v.aliases.map((a) => <span key={a} className="chip">@{a}</span>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown && graph && (<>
            <h2>Lineage of v{shown.version}</h2>
            <LineageGraph nodes={graph.nodes} edges={graph.edges} />
          </>)}
        </div>
        <aside className="panel">
          <h2>Move an alias</h2>
          <form className="stack" onSubmit={(e) => { e.preventDefault(); move.mutate({ alias: alias.trim(), version: chosen }); }}>
            <label>alias <input aria-label="alias" type="text" value={alias} onChange={(e) => setAlias(e.target.value)} /></label>
            <label>to version
              <select aria-label="alias version" value={chosen} onChange={(e) => setTarget(Number(e.target.value))}>
                {all.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
              </select>
            </label>
            <button type="submit" disabled={!alias.trim() || move.isPending}>Set alias</button>
          </form>
          {move.error && <Failure error={move.error} />}
          <h3>Alias history</h3>
          <table className="grid small" data-testid="alias-history">
            <thead><tr><th>when</th><th>alias</th><th>from</th><th>to</th><th>by</th></tr></thead>
            <tbody>
              {[...(history.data?.events ?? [])].reverse().map((e, i) => (
                <tr key={i}>
                  <td>{formatTime(e.timestamp / 1000)}</td><td>@{e.alias}</td>
                  <td>{e.from_version ? `v${e.from_version}` : "—"}</td><td>{e.to_version ? `v${e.to_version}` : "deleted"}</td>
                  <td className="muted">{e.user_id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </aside>
      </div>
    </section>
  );
}
