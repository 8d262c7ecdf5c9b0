/** Trials as lines across one axis per parameter and the objective; colour: better is darker. */
import type { Trial } from "../api";
import { axes } from "../study";

export function ParallelCoordinates({ trials, params, objective, direction }: {
  trials: Trial[]; params: string[]; objective: string; direction: "minimize" | "maximize";
}) {
  const done = trials.filter((t) => t.state === "COMPLETE" && t.value !== null);
  const rows = done.map((t) => ({ ...t.params, [objective]: t.value }));
  const names = [...params, objective];
  const scales = axes(rows, names);
  const width = 640;
  const height = 240;
  const pad = { left: 40, right: 40, top: 24, bottom: 28 };
  const x = (i: number) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(names.length - 1, 1);
  const y = (p: number) => pad.top + (1 - p) * (height - pad.top - pad.bottom);
  const objectiveAxis = scales[scales.length - 1];
  return (
    <svg className="parallel" width={width} height={height} data-testid="parallel" viewBox={`0 0 ${width} ${height}`}>
      {rows.map((row, r) => {
        const goodness = objectiveAxis.position(row[objective]) ?? 0.5;
        const shade = direction === "minimize" ? 1 - goodness : goodness;
        const points = scales.map((s, i) => { const p = s.position(row[s.name]); return p === null ? null : `${x(i)},${y(p)}`; })
          .filter(Boolean).join(" ");
        return <polyline key={r} points={points} fill="none" stroke={`rgba(47,125,225,${0.25 + 0.75 * shade})`} strokeWidth={1.5} data-trial={done[r].number} />;
      })}
      {scales.map((s, i) => (
        <g key={s.name}>
          <line x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} stroke="#4a5568" />
          <text x={x(i)} y={height - 8} textAnchor="middle" className="axis-name">{s.name}</text>
          <text x={x(i) + 4} y={y(1) - 4} className="axis-tick">{s.ticks[s.ticks.length - 1]}</text>
          <text x={x(i) + 4} y={y(0) + 12} className="axis-tick">{s.ticks[0]}</text>
        </g>
      ))}
    </svg>
  );
}
