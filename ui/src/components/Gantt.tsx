/** A timeline of every node attempt, one row per node, from the execution's start. */
import type { NodeExecution } from "../api";
import { formatDuration } from "../format";
import { STATE_COLOURS, statusState } from "../status";

export function Gantt({ records, start, end, onSelect }: {
  records: NodeExecution[]; start: number; end: number; onSelect: (id: string) => void;
}) {
  const rows = records.filter((r) => r.attempts.length > 0)
    .sort((a, b) => (a.started_at ?? 0) - (b.started_at ?? 0));
  const span = Math.max(end - start, 1e-3);
  const pct = (t: number) => `${(100 * (t - start)) / span}%`;
  if (!rows.length) return <p className="muted">No attempts yet.</p>;
  return (
    <div className="gantt" data-testid="gantt">
      <div className="gantt-axis"><span>0</span><span>{formatDuration(span)}</span></div>
      {rows.map((r) => (
        <div className="gantt-row" key={r.node_id} onClick={() => onSelect(r.node_id)}>
          <div className="gantt-label" title={r.node_id}>{r.name} <span className="muted">{r.node_id}</span></div>
          <div className="gantt-track">
            {r.attempts.map((a) => {
              const stop = a.ended_at ?? end;
              return (
                <div key={a.number} className="gantt-bar" data-attempt={`${r.node_id}#${a.number}`}
                     title={`attempt ${a.number}: ${a.status}, ${formatDuration(stop - a.started_at)}`}
                     style={{ left: pct(a.started_at), width: `max(3px, ${(100 * (stop - a.started_at)) / span}%)`,
                              background: STATE_COLOURS[statusState(a.status)] }} />
              );
            })}
          </div>
        </div>
      ))}
    </div>
  );
}
