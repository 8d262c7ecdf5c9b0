/** A param against a metric across runs, as an SVG scatter with the runs' names. */
import type { Run } from "../api";
import { formatNumber } from "../format";
import { RUN_COLOURS } from "./OverlayChart";

export function Scatter({ points, runs, xLabel, yLabel }: {
  points: { run: Run; x: number; y: number }[]; runs: Run[]; xLabel: string; yLabel: string;
}) {
  const width = 520;
  const height = 260;
  const pad = 44;
  if (!points.length) return <p className="muted">No run has both a numeric {xLabel} and {yLabel}.</p>;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => pad + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const sy = (v: number) => height - pad - ((v - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  return (
    <svg width={width} height={height} className="scatter" data-testid="scatter" viewBox={`0 0 ${width} ${height}`}>
      <line x1={pad} x2={width - pad} y1={height - pad} y2={height - pad} stroke="#4a5568" />
      <line x1={pad} x2={pad} y1={pad} y2={height - pad} stroke="#4a5568" />
      <text x={width / 2} y={height - 8} textAnchor="middle" className="axis-name">{xLabel}</text>
      <text x={12} y={height / 2} textAnchor="middle" className="axis-name" transform={`rotate(-90 12 ${height / 2})`}>{yLabel}</text>
      <text x={pad} y={height - pad + 14} className="axis-tick">{formatNumber(x0)}</text>
      <text x={width - pad} y={height - pad + 14} textAnchor="end" className="axis-tick">{formatNumber(x1)}</text>
      <text x={pad - 4} y={height - pad} textAnchor="end" className="axis-tick">{formatNumber(y0)}</text>
      <text x={pad - 4} y={pad + 4} textAnchor="end" className="axis-tick">{formatNumber(y1)}</text>
      {points.map((p) => {
        const colour = RUN_COLOURS[runs.indexOf(p.run) % RUN_COLOURS.length];
        return (
          <g key={p.run.info.run_id} data-point={p.run.info.run_name}>
            <circle cx={sx(p.x)} cy={sy(p.y)} r={5} fill={colour} />
            <text x={sx(p.x) + 7} y={sy(p.y) - 6} className="axis-tick">{p.run.info.run_name}</text>
          </g>
        );
      })}
    </svg>
  );
}
