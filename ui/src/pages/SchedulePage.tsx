/** A launch plan: its schedule and next fire times, inputs, launches (each linked to its
 * execution); pause, resume, run now. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, type LaunchPlan } from "../api";
import { Failure, Field, Loading, StatusBadge } from "../components/common";
import { useNow } from "../hooks";
import { formatTime, shortId } from "../format";
import { fromNow, launchLive, launchState, scheduleText, zonedTime } from "../schedules";

const json = (value: Record<string, unknown>) => (Object.keys(value).length ? JSON.stringify(value) : "—");

export function SchedulePage() {
  const { name = "" } = useParams();
  const queries = useQueryClient();
  const detail = useQuery({
    queryKey: ["launch-plan", name], queryFn: () => api.launchPlan(name),
    refetchInterval: (q) => (q.state.data?.launches.some((x) => launchLive(x.status)) ? 1000 : 10_000),
  });
  const now = useNow(true, 5000);
  const refresh = () => {
    queries.invalidateQueries({ queryKey: ["launch-plan", name] });
    queries.invalidateQueries({ queryKey: ["launch-plans"] });
  };
  const change = useMutation({ mutationFn: (act: (n: string) => Promise<LaunchPlan>) => act(name), onSuccess: refresh });
  const run = useMutation({ mutationFn: () => api.runPlan(name), onSuccess: refresh });

  if (detail.error) return <Failure error={detail.error} />;
  if (!detail.data) return <Loading what="the launch plan" />;
  const { launch_plan: p, launches } = detail.data;
  const busy = change.isPending || run.isPending;
  return (
    <section>
      <header className="page-head">
        <h1>{p.name}</h1>
        <span className="chip" data-testid="plan-state" data-state={p.state}>{p.state}</span>
        <Link to="/schedules">all schedules</Link>
      </header>
      {p.description && <p>{p.description}</p>}
      <div className="fields">
        <Field label="workflow"><Link to={`/workflows/${encodeURIComponent(p.workflow_name)}`}>{p.workflow_name}</Link> <span className="mono muted">{p.workflow_version}</span></Field>
        <Field label="schedule"><span className="mono" data-testid="plan-schedule">{scheduleText(p)}</span></Field>
        <Field label="catch-up">{p.catch_up}</Field>
        <Field label="fixed inputs"><span className="mono" data-testid="fixed-inputs">{json(p.fixed_inputs)}</span></Field>
        <Field label="default inputs"><span className="mono" data-testid="default-inputs">{json(p.default_inputs)}</span></Field>
        <Field label="webhook">{p.notify ? <span className="mono">{p.notify.url} on {p.notify.on.join(", ")}</span> : "—"}</Field>
        <Field label="last tick">{formatTime(p.last_tick)}</Field>
      </div>
      <div className="filters actions">
        {p.state === "ACTIVE"
          ? <button disabled={busy || !p.schedule} onClick={() => change.mutate(api.pausePlan)} title="stop firing the schedule (run now still works)">Pause</button>
          : <button disabled={busy} onClick={() => change.mutate(api.resumePlan)} title="fire again from now on">Resume</button>}
        <button className="primary" disabled={busy} onClick={() => run.mutate()} title="start an execution now on the default inputs">
          {run.isPending ? "Starting…" : "Run now"}
        </button>
        {run.data && <span data-testid="started">started <Link to={`/executions/${run.data.execution_id}`} className="mono">{shortId(run.data.execution_id)}</Link></span>}
      </div>
      {(change.error || run.error) && <Failure error={change.error ?? run.error} />}
      <h2>Next fire times</h2>
      {p.next_fire_times.length === 0
        ? <p className="muted" data-testid="next-fires">{p.schedule ? "Paused: the schedule does not fire." : "No schedule: launched by hand or by a trigger."}</p>
        : <ol data-testid="next-fires">{p.next_fire_times.map((t) => <li key={t}>{formatTime(t)}{p.schedule?.cron && <span className="mono" data-testid="zoned"> · {zonedTime(t, p.schedule.timezone)} {p.schedule.timezone}</span>} <span className="muted">{fromNow(t, now)}</span></li>)}</ol>}
      <h2>Launches</h2>
      {launches.length === 0 ? <p className="muted">No launches yet.</p> : (
        <table className="grid" data-testid="launches">
          <thead><tr><th>Kind</th><th>Tick / asked at</th><th>Status</th><th>Execution</th><th>Inputs</th><th>Reason</th><th>By</th></tr></thead>
          <tbody>{launches.map((x) => (
            <tr key={`${x.kind}-${x.tick_at}-${x.claimed_at}`} data-execution={x.execution_id ?? ""}>
              <td>{x.kind}</td>
              <td>{formatTime(x.tick_at)}</td>
              <td><StatusBadge status={x.status} state={launchState(x.status)} />{x.error && <span className="error small"> {x.error}</span>}</td>
              <td>{x.execution_id ? <Link to={`/executions/${x.execution_id}`} className="mono">{shortId(x.execution_id)}</Link> : "—"}</td>
              <td className="mono">{json(x.inputs)}</td>
              <td>{x.reason}</td>
              <td className="muted mono">{x.claimed_by}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
