import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api";
import { Failure, Loading } from "../components/common";
import { formatDuration, formatTime } from "../format";

export function MonitorsPage() {
  const monitors = useQuery({ queryKey: ["monitors"], queryFn: api.monitors, refetchInterval: 10_000 });
  if (monitors.error) return <Failure error={monitors.error} />;
  if (!monitors.data) return <Loading what="monitors" />;
  return (
    <section>
      <header className="page-head"><h1>Drift monitors</h1></header>
      <table className="grid" data-testid="monitors">
        <thead><tr><th>Name</th><th>Watches</th><th>Reference</th><th>On drift</th><th>Cool-down</th><th>Last fired</th></tr></thead>
        <tbody>
          {monitors.data.monitors.map((m) => (
            <tr key={m.name} data-row={m.name}>
              <td><Link to={`/monitors/${m.name}`}>{m.name}</Link></td>
              <td>{m.target_kind} <span className="mono muted">{m.target}</span></td>
              <td className="mono muted">{m.reference}</td>
              <td>{m.plan ? <>launch <span className="mono">{m.plan}</span></> : <span className="muted">report only</span>}</td>
              <td>{formatDuration(m.cooldown_seconds)}</td>
              <td>{m.last_fired_at ? formatTime(m.last_fired_at) : "never"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {monitors.data.monitors.length === 0 && <p className="muted">No monitors.</p>}
    </section>
  );
}
