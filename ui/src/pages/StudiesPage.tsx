import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api";
import { Failure, Loading } from "../components/common";
import { formatTime } from "../format";

export function StudiesPage() {
  const studies = useQuery({ queryKey: ["studies"], queryFn: api.studies, refetchInterval: 5000 });
  if (studies.error) return <Failure error={studies.error} />;
  if (!studies.data) return <Loading what="studies" />;
  return (
    <section>
      <header className="page-head"><h1>Studies</h1></header>
      <table className="grid" data-testid="studies">
        <thead><tr><th>Name</th><th>Status</th><th>Objective</th><th>Algorithm</th><th>Early stopping</th><th>Max trials</th><th>Created</th></tr></thead>
        <tbody>
          {studies.data.studies.map((s) => (
            <tr key={s.study_id} data-row={s.name}>
              <td><Link to={`/studies/${encodeURIComponent(s.name)}`}>{s.name}</Link></td>
              <td>{s.status}</td><td>{s.direction} {s.objective}</td><td>{s.algorithm}</td>
              <td>{s.early_stopping}</td><td>{s.max_trials}</td><td>{formatTime(s.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {studies.data.studies.length === 0 && <p className="muted">No studies.</p>}
    </section>
  );
}
