/** Launch plans: their schedules, state and next fire time. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api";
import { Failure, Loading } from "../components/common";
import { useNow } from "../hooks";
import { formatTime } from "../format";
import { fromNow, scheduleText } from "../schedules";

export function SchedulesPage() {
  const plans = useQuery({ queryKey: ["launch-plans"], queryFn: api.launchPlans, refetchInterval: 10_000 });
  const now = useNow(true, 5000);
  if (plans.error) return <Failure error={plans.error} />;
  if (!plans.data) return <Loading what="launch plans" />;
  return (
    <section>
      <header className="page-head"><h1>Schedules</h1></header>
      <table className="grid" data-testid="launch-plans">
        <thead><tr><th>Launch plan</th><th>Workflow</th><th>Schedule</th><th>State</th><th>Next fire</th><th>Last tick</th></tr></thead>
        <tbody>
          {plans.data.launch_plans.map((p) => {
            const next = p.next_fire_times[0];
            return (
              <tr key={p.name} data-row={p.name}>
                <td><Link to={`/schedules/${encodeURIComponent(p.name)}`}>{p.name}</Link></td>
                <td><Link to={`/workflows/${encodeURIComponent(p.workflow_name)}`}>{p.workflow_name}</Link> <span className="mono muted">{p.workflow_version.slice(0, 8)}</span></td>
                <td className="mono">{scheduleText(p)}</td>
                <td><span className="chip" data-state={p.state}>{p.state}</span></td>
                <td data-testid="next-fire">{next === undefined ? "—" : <>{formatTime(next)} <span className="muted">{fromNow(next, now)}</span></>}</td>
                <td>{formatTime(p.last_tick)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {plans.data.launch_plans.length === 0 && <p className="muted">No launch plans.</p>}
    </section>
  );
}
