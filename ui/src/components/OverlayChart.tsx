/** One metric of several runs on one uPlot chart (by step), one colour per run. */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Metric } from "../api";
import { toSeries } from "../series";

export const RUN_COLOURS = ["#2f7de1", "#d64545", "#2e9e5b", "#8a5cd1", "#e39b2d", "#17a2b8", "#6c757d", "#c2185b", "#795548", "#3f51b5"];

export function OverlayChart({ name, lines }: { name: string; lines: { label: string; points: Metric[] }[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || !lines.length) return;
    const data = uPlot.join(lines.map((l) => toSeries(l.points, "step") as uPlot.AlignedData));
    const plot = new uPlot({
      width: Math.max(320, box.current.clientWidth || 560), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: "step" }, {}],
      series: [{ label: "step" }, ...lines.map((l, i) => ({
        label: l.label, stroke: RUN_COLOURS[i % RUN_COLOURS.length], width: 2, spanGaps: true,
        points: { show: l.points.length < 3 },
      }))],
    }, data, box.current);
    return () => plot.destroy();
  }, [lines]);
  return <div className="chart" ref={box} data-testid={`overlay-${name}`} data-lines={lines.length} />;
}
