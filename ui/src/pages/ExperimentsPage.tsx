import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api";
import { Failure, Loading } from "../components/common";
import { formatTime } from "../format";

export function ExperimentsPage() {
  const experiments = useQuery({ queryKey: ["experiments"], queryFn: api.experiments });
  if (experiments.error) return <Failure error={experiments.error} />;
  if (!experiments.data) return <Loading what="experiments" />;
  return (
    <section>
      <header className="page-head"><h1>Experiments</h1></header>
      <table className="grid" data-testid="experiments">
        <thead><tr><th>Name</th><th>Id</th><th>Created</th><th>Last update</th></tr></thead>
        <tbody>
          {experiments.data.experiments.map((e) => (
            <tr key={e.experiment_id} data-row={e.experiment_id}>
              <td><Link to={`/experiments/${e.experiment_id}`}>{e.name}</Link></td>
              <td className="mono">{e.experiment_id}</td>
              <td>{formatTime(e.creation_time / 1000)}</td>
              <td>{formatTime(e.last_update_time / 1000)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
