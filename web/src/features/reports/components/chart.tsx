/**
 * A report chart, drawn by React as SVG from its spec: d3-array chooses the axes' round figures, d3-shape draws the
 * line and the doughnut's arcs (~5 KB compressed, in the screen's own code). A chart library of its own (Chart.js, 55 KB
 * compressed, a second of a phone's slow 3G and its parsing on a slow CPU) was what a phone's dashboard waited for
 * last, after every figure had arrived (docs/BENCHMARKS.md, issue 16): now a chart shows with its figures. The
 * table beside each chart says the same figures in text, for screen readers and for the exact numbers; a mark's
 * <title> is its tooltip.
 */

import { nice, ticks } from 'd3-array';
import { arc, line, pie } from 'd3-shape';
import { type CSSProperties, type ReactNode, type RefObject, useLayoutEffect, useRef, useState } from 'react';
import { formatNumber } from '@/lib/format';
import type { ChartSpec } from './chart-spec';

export type { ChartSpec } from './chart-spec';

export const PALETTE = ['#0b57a4', '#d4380d', '#389e0d', '#d48806', '#531dab', '#08979c', '#c41d7f', '#595959'];

const TEXT = 'rgba(0, 0, 0, 0.72)';
const GRID = '#e8e8e8';
const FONT = 12;
const TICKS = 5;
// An SVG text's width is not known before it is drawn: this estimate (the average width of a 12-px character) only
// sets the room kept for the axes' labels.
const CHARACTER_WIDTH = FONT * 0.6;
const LABEL_CHARACTERS = 18;
// A chart that is not laid out (hidden, or in a test without layout) is drawn at this size.
const UNMEASURED = { width: 400, height: 280 };

export function shortLabel(label: string): string {
  return label.length > LABEL_CHARACTERS ? `${label.slice(0, LABEL_CHARACTERS - 1)}…` : label;
}

function textWidth(text: string): number {
  return text.length * CHARACTER_WIDTH;
}

type Size = { width: number; height: number };

/** The element's size, known before the first paint and followed as the screen turns or resizes. */
function useSize(element: RefObject<HTMLElement | null>): Size {
  const [size, setSize] = useState<Size | null>(null);
  useLayoutEffect(() => {
    const node = element.current;
    if (!node) return undefined;
    const measure = (width: number, height: number) =>
      setSize(width > 0 && height > 0 ? { width: Math.floor(width), height: Math.floor(height) } : null);
    measure(node.clientWidth, node.clientHeight);
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(([entry]) => measure(entry.contentRect.width, entry.contentRect.height));
    observer.observe(node);
    return () => observer.disconnect();
  }, [element]);
  return size ?? UNMEASURED;
}

/** The table beside each chart says the same in text: screen readers get its name here and the figures there. */
export function Chart({ spec, label, height = 280 }: { spec: ChartSpec; label: string; height?: number }) {
  const plot = useRef<HTMLDivElement>(null);
  const size = useSize(plot);
  const legend = spec.kind === 'doughnut'
    ? spec.labels.map((name, i) => ({ name, color: PALETTE[i % PALETTE.length] }))
    : spec.kind === 'line-and-bars'
      ? [{ name: spec.line.name, color: PALETTE[0] }, { name: spec.bars.name, color: PALETTE[1] }]
      : [];
  return (
    <div role="img" aria-label={label} style={{ display: 'flex', flexDirection: 'column', width: '100%', height }}>
      <div ref={plot} style={{ flex: '1 1 0', minHeight: 0, position: 'relative' }}>
        <svg width={size.width} height={size.height} aria-hidden focusable="false"
             style={{ position: 'absolute', inset: 0, overflow: 'visible', fontSize: FONT, fill: TEXT }}>
          {spec.kind === 'bars' && <HorizontalBars spec={spec} size={size} />}
          {spec.kind === 'doughnut' && <Doughnut spec={spec} size={size} />}
          {spec.kind === 'line-and-bars' && <LineAndBars spec={spec} size={size} />}
        </svg>
      </div>
      {legend.length > 0 && <Legend items={legend} />}
    </div>
  );
}

const LEGEND: CSSProperties = {
  display: 'flex', flexWrap: 'wrap', justifyContent: 'center', gap: '4px 16px', margin: '8px 0 0', padding: 0,
  listStyle: 'none', fontSize: FONT, color: TEXT,
};

function Legend({ items }: { items: { name: string; color: string }[] }) {
  return (
    <ul style={LEGEND} aria-hidden>
      {items.map(({ name, color }) => (
        <li key={name} style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
          <span style={{ width: 12, height: 12, borderRadius: 2, background: color, flex: 'none' }} />
          {name}
        </li>
      ))}
    </ul>
  );
}

type Scale = (value: number) => number;

/** The linear map of `domain` onto `range` (d3-scale's would bring its colour and number formats: 12 KB more). */
function linear([low, high]: [number, number], [from, to]: [number, number]): Scale {
  return high === low ? () => from : (value) => from + ((value - low) * (to - from)) / (high - low);
}

/** Equal bands for `count` categories over `range`, `padding` of a step between and around them (as d3's band). */
function bands(count: number, [from, to]: [number, number], padding: number) {
  const step = (to - from) / Math.max(1, count + padding);
  const width = step * (1 - padding);
  return { start: (i: number) => from + step * padding + step * i, width };
}

/** A scale's round domain for `values` (from zero when asked, or when all are equal), with its ticks' labels. */
function valueScale(values: (number | null)[], range: [number, number], fromZero: boolean) {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  let low = known.length ? Math.min(...known) : 0;
  let high = known.length ? Math.max(...known) : 1;
  if (fromZero) low = Math.min(0, low);
  if (low === high) [low, high] = [Math.min(0, low), high === 0 ? 1 : Math.max(0, high)];
  const domain = nice(low, high, TICKS);
  const marks = ticks(domain[0], domain[1], TICKS);
  return { scale: linear(domain, range), ticks: marks, labels: marks.map((t) => formatNumber(t)) };
}

function widest(labels: string[]): number {
  return Math.max(0, ...labels.map(textWidth));
}

function Titled({ title, children }: { title: string; children: ReactNode }) {
  return <g><title>{title}</title>{children}</g>;
}

function HorizontalBars({ spec, size }: { spec: Extract<ChartSpec, { kind: 'bars' }>; size: Size }) {
  const labels = spec.labels.map(shortLabel);
  const left = Math.min(widest(labels) + 8, size.width * 0.45);
  const bottom = FONT + 10;
  const x = valueScale(spec.values, [left, size.width - textWidth(formatNumber(Math.max(0, ...spec.values))) / 2 - 4], true);
  const y = bands(spec.values.length, [0, size.height - bottom], 0.25);
  return (
    <>
      <Grid scale={x.scale} ticks={x.ticks} labels={x.labels} vertical from={0} to={size.height - bottom} />
      {spec.values.map((value, i) => {
        const top = y.start(i);
        return (
          <Titled key={i} title={`${spec.labels[i]}: ${formatNumber(value)}`}>
            <rect x={x.scale(0)} y={top} width={Math.max(0, x.scale(value) - x.scale(0))} height={y.width}
                  fill={PALETTE[0]} />
            <text x={left - 6} y={top + y.width / 2} textAnchor="end" dominantBaseline="central">{labels[i]}</text>
          </Titled>
        );
      })}
    </>
  );
}

/** Grid lines with their labels: vertical lines labelled below, or horizontal ones labelled at `labelAt`. */
function Grid({ scale, ticks, labels, vertical = false, from, to, labelAt = 0, anchor = 'end' }: {
  scale: Scale; ticks: number[]; labels: string[]; vertical?: boolean; from: number; to: number;
  labelAt?: number; anchor?: 'start' | 'end';
}) {
  return (
    <g>
      {ticks.map((tick, i) => {
        const at = scale(tick);
        return vertical ? (
          <g key={tick}>
            <line x1={at} x2={at} y1={from} y2={to} stroke={GRID} />
            <text x={at} y={to + FONT + 4} textAnchor="middle">{labels[i]}</text>
          </g>
        ) : (
          <g key={tick}>
            <line x1={from} x2={to} y1={at} y2={at} stroke={GRID} />
            <text x={labelAt} y={at} textAnchor={anchor} dominantBaseline="central">{labels[i]}</text>
          </g>
        );
      })}
    </g>
  );
}

function Doughnut({ spec, size }: { spec: Extract<ChartSpec, { kind: 'doughnut' }>; size: Size }) {
  const radius = Math.max(0, Math.min(size.width, size.height) / 2 - 2);
  const total = spec.values.reduce((sum, v) => sum + v, 0);
  const slices = pie<number>().sort(null).value((v) => v)(spec.values);
  const draw = arc<(typeof slices)[number]>().innerRadius(radius * 0.57).outerRadius(radius);
  return (
    <g transform={`translate(${size.width / 2},${size.height / 2})`}>
      {slices.map((slice, i) => (
        <Titled key={i}
                title={`${spec.labels[i]}: ${formatNumber(slice.value)}${total ? ` (${((slice.value * 100) / total).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} %)` : ''}`}>
          <path d={draw(slice) ?? ''} fill={PALETTE[i % PALETTE.length]} stroke="#fff" />
        </Titled>
      ))}
    </g>
  );
}

function LineAndBars({ spec, size }: { spec: Extract<ChartSpec, { kind: 'line-and-bars' }>; size: Size }) {
  const bottom = FONT + 10;
  const plotBottom = size.height - bottom;
  const left = valueScale(spec.line.values, [plotBottom, 4], false);
  const right = valueScale(spec.bars.values, [plotBottom, 4], true);
  const start = widest(left.labels) + 8;
  const end = size.width - widest(right.labels) - 8;
  const x = bands(spec.labels.length, [start, end], 0.3);
  const centre = (i: number) => x.start(i) + x.width / 2;
  // As many month labels as fit without touching: every second or third on a phone.
  const step = Math.max(1, Math.ceil(spec.labels.length / Math.max(1, Math.floor((end - start) / (widest(spec.labels) + 8)))));
  const path = line<number | null>()
    .defined((v) => v !== null)
    .x((_, i) => centre(i))
    .y((v) => left.scale(v ?? 0))(spec.line.values);
  return (
    <>
      <Grid scale={left.scale} ticks={left.ticks} labels={left.labels} from={start} to={end} labelAt={start - 6} />
      {right.ticks.map((tick, i) => (
        <text key={tick} x={end + 6} y={right.scale(tick)} dominantBaseline="central">{right.labels[i]}</text>
      ))}
      {spec.labels.map((label, i) => (
        <g key={label}>
          {spec.bars.values[i] !== null && (
            <Titled title={`${label} — ${spec.bars.name}: ${formatNumber(spec.bars.values[i])}`}>
              <rect x={x.start(i)} y={right.scale(spec.bars.values[i] ?? 0)} width={x.width}
                    height={Math.max(0, right.scale(0) - right.scale(spec.bars.values[i] ?? 0))} fill={PALETTE[1]} />
            </Titled>
          )}
          {i % step === 0 && <text x={centre(i)} y={plotBottom + FONT + 4} textAnchor="middle">{label}</text>}
        </g>
      ))}
      <path d={path ?? ''} fill="none" stroke={PALETTE[0]} strokeWidth={2} />
      {spec.line.values.map((value, i) => value !== null && (
        <Titled key={spec.labels[i]} title={`${spec.labels[i]} — ${spec.line.name}: ${formatNumber(value)}`}>
          <circle cx={centre(i)} cy={left.scale(value)} r={3} fill={PALETTE[0]} />
        </Titled>
      ))}
    </>
  );
}
