/** Optimisation history: each trial's objective (points) and the best so far (a step line). */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Trial } from "../api";
import { bestSoFar } from "../study";

export function HistoryChart({ trials, direction, objective }: { trials: Trial[]; direction: "minimize" | "maximize"; objective: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const sorted = [...trials].sort((a, b) => a.number - b.number);
    const data: uPlot.AlignedData = [
      sorted.map((t) => t.number),
      sorted.map((t) => (t.state === "COMPLETE" ? t.value : null)),
      bestSoFar(sorted, direction),
    ];
    const plot = new uPlot({
      width: Math.max(320, box.current.clientWidth || 600), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: "trial" }, {}],
      series: [
        { label: "trial" },
        { label: objective, stroke: "#2f7de1", width: 0, points: { show: true, size: 7, fill: "#2f7de1" } },
        { label: "best so far", stroke: "#d64545", width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } },
      ],
    }, data, box.current);
    return () => plot.destroy();
  }, [trials, direction, objective]);
  return <div className="chart" ref={box} data-testid="history-chart" data-points={trials.length} />;
}
