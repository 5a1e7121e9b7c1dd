/**
 * An Apache ECharts chart. Only the chart types and components the dashboard uses are registered (tree-shaken),
 * and this module is loaded with the dashboard's route, never before sign-in.
 */

import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { formatNumber } from '@/lib/format';
import { theme } from '@/lib/theme';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

type Axis = { type?: string; axisLabel?: object };

/** Value axes read as Vietnamese numbers (3.000, not 3,000), unless the chart says otherwise; on a phone's narrow
 * chart the labels that would overlap are left out. */
function vietnameseAxes(axes: unknown): unknown {
  if (axes === undefined) return axes;
  const label = (axis: Axis) => (axis.type === 'value'
    ? { ...axis, axisLabel: { formatter: (value: number) => formatNumber(value), hideOverlap: true, ...axis.axisLabel } }
    : axis);
  return Array.isArray(axes) ? axes.map(label) : label(axes as Axis);
}

/** The table beside each chart says the same in text: screen readers get its name here and the figures there. */
export function Chart({ option, label, height = 280 }: { option: ChartOption; label: string; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!element.current) return undefined;
    const instance = echarts.init(element.current, undefined, { renderer: 'svg', locale: 'EN' });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element.current);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    // The page's own font by name: ECharts measures text with it to lay out legends and axis labels ('inherit'
    // measured in a default font and drew in the page's, so legend items overlapped and labels were cut).
    chart.current?.setOption({
      textStyle: { fontFamily: theme.token?.fontFamily },
      ...option,
      xAxis: vietnameseAxes(option.xAxis),
      yAxis: vietnameseAxes(option.yAxis),
    }, true);
  }, [option]);
  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
