import type { Target } from "../api";

const COLOURS: Record<string, string> = { primary: "#2f7de1", canary: "#e39b2d" };

/** The traffic split as one bar: each target's share, labelled. */
export function TrafficBar({ targets }: { targets: Target[] }) {
  return (
    <div className="traffic" data-testid="traffic">
      {targets.filter((t) => t.traffic_percent > 0).map((t) => (
        <div key={t.label} className="traffic-part" data-label={t.label} title={t.model_uri}
             style={{ width: `${t.traffic_percent}%`, background: COLOURS[t.label] ?? "#8a5cd1" }}>
          {t.label} {t.traffic_percent}%
        </div>
      ))}
    </div>
  );
}
