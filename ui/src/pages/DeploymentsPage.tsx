import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api";
import { TrafficBar } from "../components/TrafficBar";
import { Failure, Loading } from "../components/common";
import { formatTime } from "../format";

export function DeploymentsPage() {
  const deployments = useQuery({ queryKey: ["deployments"], queryFn: api.deployments, refetchInterval: 5000 });
  if (deployments.error) return <Failure error={deployments.error} />;
  if (!deployments.data) return <Loading what="deployments" />;
  return (
    <section>
      <header className="page-head"><h1>Deployments</h1></header>
      <table className="grid" data-testid="deployments">
        <thead><tr><th>Name</th><th>Status</th><th>Revision</th><th>Traffic</th><th>Updated</th></tr></thead>
        <tbody>
          {deployments.data.deployments.map((d) => (
            <tr key={d.name} data-row={d.name}>
              <td><Link to={`/deployments/${encodeURIComponent(d.name)}`}>{d.name}</Link></td>
              <td>{d.status}</td>
              <td>{d.revision}</td>
              <td style={{ width: 320 }}><TrafficBar targets={d.targets} /></td>
              <td>{formatTime(d.last_updated_timestamp / 1000)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {deployments.data.deployments.length === 0 && <p className="muted">No deployments.</p>}
    </section>
  );
}
