/**
 * `run` once the browser is idle (at the latest after `timeoutMs`); where it cannot say when it is idle (Safari),
 * after `otherwiseMs`. Returns what cancels it. For work that must not compete with a screen's first render.
 */
export function whenIdle(run: () => void, timeoutMs: number, otherwiseMs = 0): () => void {
  if (typeof window.requestIdleCallback !== 'function') {
    const timer = setTimeout(run, otherwiseMs);
    return () => clearTimeout(timer);
  }
  const handle = window.requestIdleCallback(run, { timeout: timeoutMs });
  return () => window.cancelIdleCallback(handle);
}
