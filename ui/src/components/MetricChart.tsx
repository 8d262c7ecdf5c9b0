/** One metric's history as a uPlot line chart (by step or time; smoothing; log scale). */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Metric } from "../api";
import { logScaleAllowed, smooth, toSeries, type XAxis } from "../series";

interface Props { name: string; points: Metric[]; axis: XAxis; smoothing: number; log: boolean }

export function MetricChart({ name, points, axis, smoothing, log }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const [xs, ys] = toSeries(points, axis);
    const logOk = log && logScaleAllowed(ys);
    const series: uPlot.Series[] = [{ label: axis === "step" ? "step" : "seconds" }];
    const data: uPlot.AlignedData = [xs, ys];
    if (smoothing > 0) {
      series.push({ label: `${name} (raw)`, stroke: "#2f7de155", width: 1 });
      series.push({ label: name, stroke: "#2f7de1", width: 2 });
      data.push(smooth(ys, smoothing) as never);
    } else {
      series.push({ label: name, stroke: "#2f7de1", width: 2, points: { show: xs.length < 60 } });
    }
    const width = Math.max(280, box.current.clientWidth || 480);
    const plot = new uPlot({
      width, height: 220, series,
      scales: { x: { time: false }, y: logOk ? { distr: 3 } : {} },
      axes: [{ label: axis === "step" ? "step" : "seconds since first point" }, {}],
      legend: { live: true },
    }, data, box.current);
    return () => plot.destroy();
  }, [name, points, axis, smoothing, log]);
  return <div className="chart" ref={box} data-testid={`chart-${name}`} data-points={points.length} />;
}
