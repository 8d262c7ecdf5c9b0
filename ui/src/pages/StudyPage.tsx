/** A study: counts and best trial, optimisation history, parameter importance, parallel
 *  coordinates and the trials table (updated while it runs). */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../api";
import { HistoryChart } from "../components/HistoryChart";
import { ParallelCoordinates } from "../components/ParallelCoordinates";
import { Failure, Field, Loading } from "../components/common";
import { formatDuration, formatNumber } from "../format";

export function StudyPage() {
  const { name = "" } = useParams();
  const detail = useQuery({
    queryKey: ["study", name], queryFn: () => api.study(name),
    refetchInterval: (q) => (q.state.data?.study.status === "RUNNING" ? 2000 : false),
  });
  const running = detail.data?.study.status === "RUNNING";
  const trials = useQuery({ queryKey: ["trials", name], queryFn: () => api.trials(name), refetchInterval: running ? 2000 : false });
  const importance = useQuery({ queryKey: ["importance", name], queryFn: () => api.importance(name), retry: false });

  if (detail.error) return <Failure error={detail.error} />;
  if (!detail.data) return <Loading what="the study" />;
  const { study, trial_counts: counts, best_trial: best } = detail.data;
  const params = Object.keys(study.space);
  const list = trials.data?.trials ?? [];
  const shares = Object.entries(importance.data?.importances ?? {});
  return (
    <section>
      <header className="page-head"><h1>{study.name}</h1><span className="chip">{study.status}</span></header>
      <div className="fields">
        <Field label="objective">{study.direction} {study.objective}</Field>
        <Field label="algorithm">{study.algorithm} · {study.early_stopping}</Field>
        <Field label="trials"><span data-testid="trial-counts">{Object.entries(counts).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(", ")}</span> of {study.max_trials}</Field>
        <Field label="execution"><Link to={`/executions/${study.execution_id}`} className="mono">{study.execution_id.slice(0, 8)}</Link></Field>
      </div>
      {best && (
        <div className="best" data-testid="best-trial">
          best: trial {best.number}, {study.objective} = <strong>{formatNumber(best.value)}</strong>{" "}
          <span className="muted">({Object.entries(best.params).map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : String(v)}`).join(", ")})</span>
        </div>
      )}
      <div className="charts">
        <div className="chart-card"><h3>Optimisation history</h3><HistoryChart trials={list} direction={study.direction} objective={study.objective} /></div>
        <div className="chart-card">
          <h3>Parameter importance</h3>
          {importance.error ? <Failure error={importance.error} /> : (
            <div data-testid="importance">
              {shares.map(([p, v]) => (
                <div key={p} className="bar-row" data-param={p}>
                  <span className="bar-label">{p}</span>
                  <span className="bar" style={{ width: `${Math.max(1, 100 * v)}%` }} />
                  <span className="num">{(100 * v).toFixed(1)}%</span>
                </div>
              ))}
              {importance.data && <p className="muted small">{importance.data.evaluator}, from {importance.data.trials} trials</p>}
            </div>
          )}
        </div>
      </div>
      <h2>Parallel coordinates</h2>
      <div className="chart-card"><ParallelCoordinates trials={list} params={params} objective={study.objective} direction={study.direction} /></div>
      <h2>Trials</h2>
      <table className="grid" data-testid="trials">
        <thead><tr><th>#</th><th>State</th><th>{study.objective}</th>{params.map((p) => <th key={p}>{p}</th>)}<th>Duration</th><th>Run</th></tr></thead>
        <tbody>
          {list.map((t) => (
            <tr key={t.number} data-row={t.number} className={best?.number === t.number ? "picked" : undefined}>
              <td>{t.number}</td><td>{t.state}</td><td className="num">{formatNumber(t.value)}</td>
              {params.map((p) => <td key={p} className="num">{typeof t.params[p] === "number" ? formatNumber(t.params[p] as number) : String(t.params[p] ?? "")}</td>)}
              <td>{formatDuration(t.ended_at !== null ? t.ended_at - t.started_at : null)}</td>
              <td>{t.run_id ? <Link to={`/runs/${t.run_id}`} className="mono">{t.run_id.slice(0, 8)}</Link> : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
