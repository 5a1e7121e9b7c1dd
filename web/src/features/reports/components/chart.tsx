/**
 * A report chart. Its code (chart-engine.ts, Chart.js) is loaded on its own: a screen with charts renders its
 * figures and the tables beside the charts at once, and each chart is drawn when that code has arrived. The
 * router starts loading it with the reports' routes (`loadChartEngine`), beside the screen's own code.
 */

import { useEffect, useRef, useState } from 'react';
import type { ChartSpec } from './chart-spec';

export type { ChartSpec } from './chart-spec';

type Engine = typeof import('./chart-engine');
let engine: Promise<Engine> | undefined;

/** The charts' code, asked for once (a failed load is asked again by the next chart). */
export function loadChartEngine(): Promise<Engine> {
  engine ??= import('./chart-engine').catch((error: unknown) => {
    engine = undefined;
    throw error;
  });
  return engine;
}

/** The table beside each chart says the same in text: screen readers get its name here and the figures there. */
export function Chart({ spec, label, height = 280 }: { spec: ChartSpec; label: string; height?: number }) {
  const [loaded, setLoaded] = useState<Engine | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const redraw = useRef<((next?: ChartSpec) => void) | null>(null);
  useEffect(() => {
    let current = true;
    loadChartEngine().then((module) => current && setLoaded(module), () => undefined);
    return () => {
      current = false;
    };
  }, []);
  useEffect(() => () => {
    redraw.current?.();
    redraw.current = null;
  }, []);
  useEffect(() => {
    if (!loaded || !canvas.current) return;
    if (redraw.current) redraw.current(spec);
    else redraw.current = loaded.draw(canvas.current, spec);
  }, [loaded, spec]);
  return (
    <div role="img" aria-label={label} style={{ position: 'relative', width: '100%', height }}>
      {loaded && <canvas ref={canvas} />}
    </div>
  );
}
