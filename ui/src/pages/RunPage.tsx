import { useState } from "react";
import { useQueries, useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../api";
import { ArtifactBrowser } from "../components/ArtifactBrowser";
import { MetricChart } from "../components/MetricChart";
import { Failure, Field, Loading, StatusBadge } from "../components/common";
import { formatDuration, formatNumber, formatTime, shortId } from "../format";
import type { XAxis } from "../series";

export function RunPage() {
  const { id = "" } = useParams();
  const run = useQuery({ queryKey: ["run", id], queryFn: () => api.run(id) });
  const keys = [...new Set(run.data?.data.metrics.map((m) => m.key) ?? [])].sort();
  const histories = useQueries({
    queries: keys.map((key) => ({ queryKey: ["history", id, key], queryFn: () => api.metricSeries(id, key) })),
  });
  const [axis, setAxis] = useState<XAxis>("step");
  const [smoothing, setSmoothing] = useState(0);
  const [log, setLog] = useState(false);

  if (run.error) return <Failure error={run.error} />;
  if (!run.data) return <Loading what="the run" />;
  const { info, data } = run.data;
  const userTags = Object.entries(data.tags).filter(([k]) => !k.startsWith("mlflow."));
  return (
    <section>
      <header className="page-head">
        <h1>{info.run_name || shortId(info.run_id)}</h1>
        <StatusBadge status={info.status === "FINISHED" ? "SUCCEEDED" : info.status} />
      </header>
      <div className="fields">
        <Field label="run id"><span className="mono">{info.run_id}</span></Field>
        <Field label="experiment"><Link to={`/experiments/${info.experiment_id}`}>{info.experiment_id}</Link></Field>
        <Field label="started">{formatTime(info.start_time / 1000)}</Field>
        <Field label="duration">{formatDuration(info.end_time ? (info.end_time - info.start_time) / 1000 : null)}</Field>
        {info.execution_id && (
          <Field label="logged from"><Link to={`/executions/${info.execution_id}`} className="mono">{shortId(info.execution_id)}</Link> node {info.node_id}</Field>
        )}
      </div>
      <div className="io">
        <div>
          <h3>Params</h3>
          <table className="kv" data-testid="params"><tbody>
            {Object.entries(data.params).sort().map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}
          </tbody></table>
        </div>
        <div>
          <h3>Metrics (latest)</h3>
          <table className="kv" data-testid="metrics"><tbody>
            {data.metrics.map((m) => <tr key={m.key}><th>{m.key}</th><td className="num">{formatNumber(m.value)} <span className="muted">step {m.step}</span></td></tr>)}
          </tbody></table>
        </div>
        <div>
          <h3>Tags</h3>
          <table className="kv"><tbody>
            {userTags.map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}
          </tbody></table>
        </div>
      </div>
      <h2>Charts</h2>
      <div className="filters">
        <label>x axis
          <select aria-label="x axis" value={axis} onChange={(e) => setAxis(e.target.value as XAxis)}>
            <option value="step">step</option><option value="time">time</option>
          </select>
        </label>
        <label>smoothing {smoothing.toFixed(2)}
          <input aria-label="smoothing" type="range" min={0} max={0.99} step={0.01} value={smoothing}
                 onChange={(e) => setSmoothing(Number(e.target.value))} />
        </label>
        <label><input aria-label="log scale" type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale</label>
      </div>
      <div className="charts">
        {keys.map((key, i) => {
          const h = histories[i];
          return (
            <div key={key} className="chart-card">
              <h3>{key}</h3>
              {h.error ? <Failure error={h.error} /> : h.data
                ? <>
                    <MetricChart name={key} points={h.data.metrics} axis={axis} smoothing={smoothing} log={log} />
                    <p className="muted small" data-testid={`points-${key}`}>
                      {h.data.downsampled ? `${h.data.metrics.length} of ${h.data.total} points (each stretch's min and max)` : `${h.data.total} point${h.data.total === 1 ? "" : "s"}`}
                    </p>
                  </>
                : <Loading what={key} />}
            </div>
          );
        })}
      </div>
      <h2>Artifacts</h2>
      <ArtifactBrowser runId={info.run_id} />
    </section>
  );
}
