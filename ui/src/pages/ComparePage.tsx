/** 2 to 10 runs side by side: params (differences first), latest metrics, every metric's
 *  curves overlaid, and a scatter of a param against a metric. */
import { useState } from "react";
import { useQueries } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, type Run } from "../api";
import { OverlayChart, RUN_COLOURS } from "../components/OverlayChart";
import { Scatter } from "../components/Scatter";
import { Failure, Loading } from "../components/common";
import { paramDiff, parseRunIds, scatterPoints } from "../compare";
import { formatNumber } from "../format";

export function ComparePage() {
  const [params] = useSearchParams();
  const parsed = parseRunIds(params.get("runs"));
  const ids = parsed.ok ? parsed.ids : [];
  const fetched = useQueries({ queries: ids.map((id) => ({ queryKey: ["run", id], queryFn: () => api.run(id) })) });
  const runs = fetched.map((q) => q.data).filter((r): r is Run => !!r);
  const ready = parsed.ok && runs.length === ids.length;
  const metricKeys = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  const pairs = ready ? metricKeys.flatMap((key) => runs.map((r) => ({ key, run: r }))) : [];
  const series = useQueries({
    queries: pairs.map(({ key, run }) => ({ queryKey: ["series", run.info.run_id, key, 1000], queryFn: () => api.metricSeries(run.info.run_id, key, 1000) })),
  });
  const [onlyDiff, setOnlyDiff] = useState(false);
  const diff = paramDiff(runs);
  const paramKeys = diff.map((d) => d.key);
  const [xParam, setXParam] = useState<string | null>(null);
  const [yMetric, setYMetric] = useState<string | null>(null);

  if (!parsed.ok) return <p className="error" data-testid="compare-error">{parsed.error}</p>;
  const failed = fetched.find((q) => q.error);
  if (failed) return <Failure error={failed.error} />;
  if (!ready) return <Loading what="the runs" />;
  const x = xParam ?? diff.find((d) => d.differs)?.key ?? paramKeys[0] ?? "";
  const y = yMetric ?? metricKeys[0] ?? "";
  const rows = onlyDiff ? diff.filter((d) => d.differs) : [...diff.filter((d) => d.differs), ...diff.filter((d) => !d.differs)];
  const latest = (run: Run, key: string) => run.data.metrics.find((m) => m.key === key)?.value;
  return (
    <section>
      <header className="page-head"><h1>Compare {runs.length} runs</h1></header>
      <table className="grid" data-testid="compare-params">
        <thead>
          <tr><th>param</th>{runs.map((r, i) => (
            <th key={r.info.run_id}><span className="swatch" style={{ background: RUN_COLOURS[i % RUN_COLOURS.length] }} />
              <Link to={`/runs/${r.info.run_id}`}>{r.info.run_name || r.info.run_id.slice(0, 8)}</Link></th>
          ))}</tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.key} data-row={d.key} className={d.differs ? "differs" : undefined}>
              <th>{d.key}</th>{d.values.map((v, i) => <td key={i}>{v ?? <span className="muted">—</span>}</td>)}
            </tr>
          ))}
          {metricKeys.map((key) => (
            <tr key={"m:" + key} data-row={"metrics." + key} className="metric-row">
              <th>{key} <span className="muted">(latest)</span></th>{runs.map((r) => <td key={r.info.run_id} className="num">{formatNumber(latest(r, key))}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <label className="muted"><input type="checkbox" aria-label="only differences" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> only params that differ</label>
      <h2>Metrics</h2>
      <div className="charts">
        {metricKeys.map((key) => {
          const mine = pairs.map((p, i) => ({ ...p, q: series[i] })).filter((p) => p.key === key);
          if (mine.some((p) => p.q.error)) return <Failure key={key} error={mine.find((p) => p.q.error)!.q.error} />;
          if (mine.some((p) => !p.q.data)) return <Loading key={key} what={key} />;
          const lines = mine.filter((p) => p.q.data!.metrics.length).map((p) => ({ label: p.run.info.run_name || p.run.info.run_id.slice(0, 8), points: p.q.data!.metrics }));
          return <div key={key} className="chart-card"><h3>{key}</h3><OverlayChart name={key} lines={lines} /></div>;
        })}
      </div>
      <h2>Param against metric</h2>
      <div className="filters">
        <label>x <select aria-label="scatter param" value={x} onChange={(e) => setXParam(e.target.value)}>{paramKeys.map((k) => <option key={k}>{k}</option>)}</select></label>
        <label>y <select aria-label="scatter metric" value={y} onChange={(e) => setYMetric(e.target.value)}>{metricKeys.map((k) => <option key={k}>{k}</option>)}</select></label>
      </div>
      <div className="chart-card"><Scatter points={scatterPoints(runs, x, y)} runs={runs} xLabel={x} yLabel={y} /></div>
    </section>
  );
}
