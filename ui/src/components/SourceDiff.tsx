/** Two workflow versions' sources side by side: each changed function as a line diff, the
 * unchanged ones named. */
import type { SourcePair } from "../sourceDiff";
import { DIFF_COLOURS } from "./DiffGraph";

export function SourceDiff({ pairs }: { pairs: SourcePair[] }) {
  const differing = pairs.filter((p) => p.state !== "same");
  const same = pairs.filter((p) => p.state === "same");
  return (
    <div data-testid="source-diff">
      {differing.length === 0 && <p className="muted">The sources are the same.</p>}
      {differing.map((p) => (
        <div key={`${p.beforeRef}|${p.afterRef}`} className="source-file" data-source={p.name} data-diff={p.state}>
          <div className="source-head">
            <span className="chip" style={{ borderColor: DIFF_COLOURS[p.state] }}>{p.state}</span>
            <span className="mono">{p.afterRef ?? p.beforeRef}</span>
            <span className="muted" data-testid="source-counts">+{p.added} −{p.removed}</span>
          </div>
          <pre className="source-lines">{p.lines.map((l, i) => (
            <div key={i} className={`line line-${l.kind}`} data-line={l.kind}>
              <span className="line-no">{l.oldNo ?? ""}</span><span className="line-no">{l.newNo ?? ""}</span>
              <span className="line-mark">{l.kind === "add" ? "+" : l.kind === "del" ? "−" : " "}</span>{l.text}
            </div>
          ))}</pre>
        </div>
      ))}
      {same.length > 0 && <p className="muted" data-testid="same-sources">Unchanged: {same.map((p) => p.name).join(", ")}</p>}
    </div>
  );
}
