/** A deployment: traffic split, per-version figures, history; change traffic, promote, roll back. */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api, type Deployment } from "../api";
import { TrafficBar } from "../components/TrafficBar";
import { Failure, Field, Loading } from "../components/common";
import { formatNumber, formatTime } from "../format";

export function DeploymentPage() {
  const { name = "" } = useParams();
  const queries = useQueryClient();
  const deployment = useQuery({ queryKey: ["deployment", name], queryFn: () => api.deployment(name), refetchInterval: 5000 });
  const stats = useQuery({ queryKey: ["deployment-stats", name], queryFn: () => api.deploymentStats(name), refetchInterval: 5000 });
  const history = useQuery({ queryKey: ["deployment-history", name], queryFn: () => api.deploymentHistory(name) });
  const [percent, setPercent] = useState<number | null>(null);
  const change = useMutation({
    mutationFn: (act: (d: Deployment) => Promise<Deployment>) => act(deployment.data!),
    onSuccess: (updated) => {
      queries.setQueryData(["deployment", name], updated);
      setPercent(null);
      for (const key of ["deployment-history", "deployment-stats"]) queries.invalidateQueries({ queryKey: [key, name] });
      queries.invalidateQueries({ queryKey: ["deployments"] });
    },
  });

  if (deployment.error) return <Failure error={deployment.error} />;
  if (!deployment.data) return <Loading what="the deployment" />;
  const d = deployment.data;
  const canary = d.targets.find((t) => t.label === "canary");
  const shown = percent ?? canary?.traffic_percent ?? 0;
  return (
    <section>
      <header className="page-head">
        <h1>{d.name}</h1>
        <span className="chip" data-testid="deployment-status">{d.status}</span>
        <span className="muted">revision <span data-testid="revision">{d.revision}</span></span>
      </header>
      {d.description && <p>{d.description}</p>}
      <TrafficBar targets={d.targets} />
      <table className="grid" data-testid="targets">
        <thead><tr><th>Route</th><th>Model</th><th>Traffic</th></tr></thead>
        <tbody>{d.targets.map((t) => <tr key={t.label} data-row={t.label}><td>{t.label}</td><td className="mono">{t.model_uri}</td><td>{t.traffic_percent}%</td></tr>)}</tbody>
      </table>
      <div className="filters actions">
        {canary && (<>
          <label>canary share {shown}%
            <input aria-label="canary percent" type="range" min={0} max={100} step={5} value={shown}
                   onChange={(e) => setPercent(Number(e.target.value))} />
          </label>
          <button disabled={percent === null || change.isPending}
                  onClick={() => change.mutate((x) => api.setTraffic(x.name, shown, x.revision))}>Set traffic</button>
          <button className="primary" disabled={change.isPending}
                  onClick={() => change.mutate((x) => api.promote(x.name, x.revision))}>Promote canary</button>
        </>)}
        <button disabled={change.isPending || d.revision <= 1}
                onClick={() => change.mutate((x) => api.rollback(x.name, x.revision))}>Roll back</button>
      </div>
      {change.error && <Failure error={change.error} />}
      <h2>Per version</h2>
      {stats.error ? <Failure error={stats.error} /> : (stats.data?.versions.length ?? 0) === 0 ? <p className="muted">No requests served yet.</p> : (
        <table className="grid" data-testid="stats">
          <thead><tr><th>Route</th><th>Version</th><th>Requests</th><th>Errors</th><th>Error rate</th><th>Latency mean</th><th>Latency max</th></tr></thead>
          <tbody>{stats.data!.versions.map((v) => (
            <tr key={v.label + v.model_version}><td>{v.label}</td><td>{v.model_version}</td><td>{v.requests}</td><td>{v.errors}</td>
              <td>{(100 * v.error_rate).toFixed(1)}%</td><td>{formatNumber(v.latency_ms_mean)} ms</td><td>{formatNumber(v.latency_ms_max)} ms</td></tr>
          ))}</tbody>
        </table>
      )}
      <h2>History</h2>
      <table className="grid small" data-testid="history">
        <thead><tr><th>revision</th><th>change</th><th>when</th><th>by</th><th>after</th></tr></thead>
        <tbody>{[...(history.data?.events ?? [])].reverse().map((e) => (
          <tr key={e.revision}><td>{e.revision}</td><td>{e.kind}</td><td>{formatTime(e.timestamp / 1000)}</td><td className="muted">{e.user_id}</td>
            <td className="mono">{e.after.map((t) => `${t.label} ${t.model_uri} ${t.traffic_percent}%`).join(" · ")}</td></tr>
        ))}</tbody>
      </table>
      <div className="fields"><Field label="created">{formatTime(d.creation_timestamp / 1000)} by {d.created_by || "—"}</Field></div>
    </section>
  );
}
