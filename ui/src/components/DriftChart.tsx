/** A monitor's reports over time: the share of drifted features, drifted reports in red. */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { DriftReport } from "../api";

export function DriftChart({ reports }: { reports: DriftReport[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || !reports.length) return;
    const sorted = [...reports].sort((a, b) => a.created_at - b.created_at);
    const xs = sorted.map((r) => r.created_at);
    const data: uPlot.AlignedData = [
      xs,
      sorted.map((r) => r.drifted_share),
      sorted.map((r) => (r.drifted ? r.drifted_share : null)),
    ];
    const plot = new uPlot({
      width: Math.max(320, box.current.clientWidth || 600), height: 200,
      scales: { y: { range: [0, 1] } },
      series: [
        {},
        { label: "drifted share", stroke: "#2f7de1", width: 2, points: { show: true, size: 6 } },
        { label: "drift", stroke: "#d64545", width: 0, points: { show: true, size: 9, fill: "#d64545" } },
      ],
    }, data, box.current);
    return () => plot.destroy();
  }, [reports]);
  return <div className="chart" ref={box} data-testid="drift-chart" data-points={reports.length} />;
}
