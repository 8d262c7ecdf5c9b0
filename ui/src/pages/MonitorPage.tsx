/** A drift monitor: a report's per-feature tests (the newest unless one is picked), the share
 *  of drifted features over time, every report, and the plans it launched. */
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, type DriftReport } from "../api";
import { DriftChart } from "../components/DriftChart";
import { Failure, Field, Loading } from "../components/common";
import { formatDuration, formatNumber, formatTime, shortId } from "../format";

function Verdict({ report }: { report: DriftReport }) {
  return <span className="badge" data-testid="verdict" style={{ background: report.drifted ? "#d64545" : "#2e9e5b" }}>{report.drifted ? "DRIFT" : "NO DRIFT"}</span>;
}

function ReportDetail({ report }: { report: DriftReport }) {
  return (
    <div className="chart-card" data-testid="report" data-report={report.report_id}>
      <h3>Report {shortId(report.report_id)} · {formatTime(report.created_at)} <Verdict report={report} /></h3>
      <div className="fields">
        <Field label="reference">{report.reference} ({report.reference_size} rows)</Field>
        <Field label="current">{report.current} ({report.current_size} rows)</Field>
        <Field label="drifted features"><span data-testid="drifted-share">{Math.round(100 * report.drifted_share)}%</span></Field>
        {report.quality && <Field label={report.quality.metric}>{formatNumber(report.quality.reference)} → {formatNumber(report.quality.current)} {report.quality.decayed ? "(decayed)" : ""}</Field>}
      </div>
      <table className="grid small" data-testid="features">
        <thead><tr><th>feature</th><th>kind</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>drift</th></tr></thead>
        <tbody>
          {report.features.flatMap((f) => f.tests.map((t, i) => (
            <tr key={f.feature + t.name} data-feature={f.feature} className={t.drifted ? "differs" : undefined}>
              {i === 0 && <td rowSpan={f.tests.length}><strong>{f.feature}</strong>{f.drifted ? " ⚠" : ""}</td>}
              {i === 0 && <td rowSpan={f.tests.length}>{f.kind}</td>}
              <td>{t.name}</td>
              <td className="num">{typeof t.statistic === "number" ? formatNumber(t.statistic) : t.statistic}</td>
              <td className="num">{t.p_value === null ? "—" : formatNumber(t.p_value)}</td>
              <td className="num">{formatNumber(t.threshold)}</td>
              <td>{t.drifted ? "yes" : "no"}</td>
            </tr>
          )))}
        </tbody>
      </table>
    </div>
  );
}

export function MonitorPage() {
  const name = useParams()["*"] ?? "";
  const detail = useQuery({ queryKey: ["monitor", name], queryFn: () => api.monitor(name), refetchInterval: 10_000 });
  const reports = useQuery({ queryKey: ["monitor-reports", name], queryFn: () => api.monitorReports(name), refetchInterval: 10_000 });
  const firings = useQuery({ queryKey: ["monitor-firings", name], queryFn: () => api.monitorFirings(name) });
  const [picked, setPicked] = useState<string | null>(null);
  if (detail.error) return <Failure error={detail.error} />;
  if (!detail.data) return <Loading what="the monitor" />;
  const { monitor, latest_report: latest } = detail.data;
  const all = reports.data?.reports ?? [];
  const shown = all.find((r) => r.report_id === picked) ?? latest;
  return (
    <section>
      <header className="page-head"><h1>{monitor.name}</h1>{latest && <Verdict report={latest} />}</header>
      <div className="fields">
        <Field label="watches">{monitor.target_kind} <span className="mono">{monitor.target}</span></Field>
        <Field label="reference"><span className="mono">{monitor.reference}</span></Field>
        <Field label="on drift">{monitor.plan ? `launch ${monitor.plan} (cool-down ${formatDuration(monitor.cooldown_seconds)})` : "report only"}</Field>
        {monitor.run_id && <Field label="charts"><Link to={`/runs/${monitor.run_id}`}>tracking run {shortId(monitor.run_id)}</Link></Field>}
      </div>
      {shown ? <ReportDetail report={shown} /> : <p className="muted">No reports yet.</p>}
      <div className="charts">
        <div className="chart-card"><h3>Drifted share over time</h3><DriftChart reports={all} /></div>
        <div className="chart-card">
          <h3>Reports ({all.length})</h3>
          <table className="grid small" data-testid="reports">
            <thead><tr><th>when</th><th>current</th><th>drifted share</th><th>verdict</th></tr></thead>
            <tbody>{all.map((r) => (
              <tr key={r.report_id} data-row={r.report_id} className={"clickable" + (r === shown ? " picked" : "")} onClick={() => setPicked(r.report_id)}>
                <td>{formatTime(r.created_at)}</td><td>{r.current}</td><td>{Math.round(100 * r.drifted_share)}%</td><td>{r.drifted ? "drift" : "ok"}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      </div>
      <h2>Launches on drift</h2>
      {(firings.data?.firings ?? []).length === 0 ? <p className="muted">None.</p> : (
        <table className="grid small" data-testid="firings">
          <thead><tr><th>when</th><th>plan</th><th>execution</th><th>error</th></tr></thead>
          <tbody>{firings.data!.firings.map((f) => (
            <tr key={f.firing_id}><td>{formatTime(f.fired_at)}</td><td className="mono">{f.plan}</td>
              <td>{f.execution_id ? <Link to={`/executions/${f.execution_id}`} className="mono">{shortId(f.execution_id)}</Link> : "—"}</td>
              <td className="error">{f.error}</td></tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
