/**
 * What draws the reports' charts: Chart.js (MIT, maintained by the Chart.js organisation), with only the chart types,
 * scales and plugins the reports use registered (tree-shaken: ~50 KB compressed, where Apache ECharts' modular
 * build of the same charts was 160 KB, 3.2 s on a phone's slow 3G). Loaded on its own, beside the screen's code
 * (`loadChartEngine`): the tables beside the charts show without waiting for it.
 */

import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { theme } from '@/lib/theme';
import type { ChartSpec } from './chart-spec';

Chart.register(
  ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip,
);
Chart.defaults.font.family = theme.token?.fontFamily as string;
Chart.defaults.color = 'rgba(0, 0, 0, 0.72)';

export const PALETTE = ['#0b57a4', '#d4380d', '#389e0d', '#d48806', '#531dab', '#08979c', '#c41d7f', '#595959'];

type Configuration = ChartConfiguration<ChartType>;

const LABEL_CHARACTERS = 18;

export function shortLabel(label: string): string {
  return label.length > LABEL_CHARACTERS ? `${label.slice(0, LABEL_CHARACTERS - 1)}…` : label;
}

function configuration(spec: ChartSpec): Configuration {
  // No animation: on a slow phone the first frame is the chart, and nothing moves for those who asked for less motion.
  // Axes and tooltips read as Vietnamese numbers (3.000, not 3,000) by the locale; Chart.js leaves out the axis
  // labels that would overlap on a phone's narrow chart.
  const common = { animation: false as const, responsive: true, maintainAspectRatio: false, locale: 'vi-VN' };
  if (spec.kind === 'doughnut') {
    const doughnut: ChartConfiguration<'doughnut'> = {
      type: 'doughnut',
      data: { labels: spec.labels, datasets: [{ data: spec.values, backgroundColor: PALETTE, borderWidth: 1 }] },
      options: {
        ...common, cutout: '57%',
        plugins: { legend: { position: 'bottom' } },
      },
    };
    return doughnut as Configuration;
  }
  if (spec.kind === 'bars') {
    const bars: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels: spec.labels, datasets: [{ label: spec.name, data: spec.values, backgroundColor: PALETTE[0] }] },
      options: {
        ...common, indexAxis: 'y',
        scales: {
          x: { beginAtZero: true },
          // Long unit names would be cut at the chart's left edge on a phone: shortened at their end instead (the
          // tooltip and the table beside the chart give them whole).
          y: { grid: { display: false }, ticks: { callback(value) { return shortLabel(this.getLabelForValue(Number(value))); } } },
        },
        plugins: { legend: { display: false } },
      },
    };
    return bars as Configuration;
  }
  // A line on the left axis and bars on the right one, over the same categories (months).
  const lineAndBars: ChartConfiguration<'bar' | 'line'> = {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: [
        { type: 'line', label: spec.line.name, data: spec.line.values, yAxisID: 'y', borderColor: PALETTE[0],
          backgroundColor: PALETTE[0], pointRadius: 3, spanGaps: false, order: 0 },
        { type: 'bar', label: spec.bars.name, data: spec.bars.values, yAxisID: 'y1', backgroundColor: PALETTE[1],
          order: 1 },
      ],
    },
    options: {
      ...common,
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: { position: 'left' },
        y1: { position: 'right', beginAtZero: true, grid: { display: false } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
  return lineAndBars as Configuration;
}

/** Draws `spec` on `canvas`; the returned function draws a new spec on the same chart, or (no argument) removes it. */
export function draw(canvas: HTMLCanvasElement, spec: ChartSpec): (next?: ChartSpec) => void {
  let chart = new Chart(canvas, configuration(spec));
  let kind = spec.kind;
  return (next) => {
    if (next === undefined) {
      chart.destroy();
      return;
    }
    const updated = configuration(next);
    if (next.kind === kind) {
      chart.data = updated.data;
      chart.options = updated.options ?? {};
      chart.update();
    } else {
      chart.destroy();
      chart = new Chart(canvas, updated);
      kind = next.kind;
    }
  };
}
