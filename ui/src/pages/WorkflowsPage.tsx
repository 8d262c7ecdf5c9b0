import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, type Workflow } from "../api";
import { Failure, Loading } from "../components/common";
import { formatTime, shortId } from "../format";

export function WorkflowsPage() {
  const workflows = useQuery({ queryKey: ["workflows"], queryFn: () => api.workflows() });
  const byName = useMemo(() => {
    const groups = new Map<string, Workflow[]>();
    for (const w of workflows.data?.workflows ?? []) groups.set(w.name, [...(groups.get(w.name) ?? []), w]);
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [workflows.data]);
  if (workflows.error) return <Failure error={workflows.error} />;
  if (!workflows.data) return <Loading what="workflows" />;
  return (
    <section>
      <header className="page-head"><h1>Workflows</h1></header>
      <table className="grid" data-testid="workflows">
        <thead><tr><th>Name</th><th>Versions</th><th>Newest</th><th>Registered</th><th>Source</th></tr></thead>
        <tbody>
          {byName.map(([name, versions]) => (
            <tr key={name} data-row={name}>
              <td><Link to={`/workflows/${encodeURIComponent(name)}`}>{name}</Link></td>
              <td>{versions.length}</td>
              <td className="mono">{shortId(versions[0].version)}</td>
              <td>{formatTime(versions[0].created_at)}</td>
              <td className="muted mono">{versions[0].source_ref}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
