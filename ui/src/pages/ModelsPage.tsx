import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api";
import { Failure, Loading } from "../components/common";
import { formatTime } from "../format";

export function ModelsPage() {
  const models = useQuery({ queryKey: ["models"], queryFn: api.models });
  if (models.error) return <Failure error={models.error} />;
  if (!models.data) return <Loading what="registered models" />;
  return (
    <section>
      <header className="page-head"><h1>Models</h1></header>
      <table className="grid" data-testid="models">
        <thead><tr><th>Name</th><th>Latest version</th><th>Aliases</th><th>Updated</th><th>Description</th></tr></thead>
        <tbody>
          {models.data.registered_models.map((m) => (
            <tr key={m.name} data-row={m.name}>
              <td><Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link></td>
              <td>{m.latest_versions[0] ? `v${m.latest_versions[0].version}` : "—"}</td>
              <td>{Object.entries(m.aliases).map(([a, v]) => <span key={a} className="chip">@{a} → v{v}</span>)}</td>
              <td>{formatTime(m.last_updated_timestamp / 1000)}</td>
              <td className="muted">{m.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {models.data.registered_models.length === 0 && <p className="muted">No registered models.</p>}
    </section>
  );
}
