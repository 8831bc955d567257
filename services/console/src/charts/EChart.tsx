import { BarChart, MapChart, PieChart } from "echarts/charts";
import { GeoComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

import liaoning from "./liaoning-cities.json";

echarts.use([
  BarChart, MapChart, PieChart, GeoComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent,
  VisualMapComponent, CanvasRenderer,
]);
// Liaoning's 14 cities (src/charts/liaoning-cities.LICENSE.txt says where the outlines come from).
echarts.registerMap("liaoning", liaoning as unknown as Parameters<typeof echarts.registerMap>[1]);
export const LIAONING_CITIES: { code: string; name: string }[] = liaoning.features.map((feature) => feature.properties);

export type ChartOption = echarts.EChartsCoreOption;

/** An ECharts chart that follows its option and its container's size; `label` names it for screen readers. */
export function EChart({ option, label, height = 320 }: { option: ChartOption; label: string; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!element.current) return;
    chart.current = echarts.init(element.current);
    const observer = new ResizeObserver(() => chart.current?.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={element} role="img" aria-label={label} style={{ width: "100%", height }} />;
}
