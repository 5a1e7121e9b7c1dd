/** Waiting for a screen's code or the session: a spinner drawn by CSS alone (it shows before Ant Design loads). */
export function FullPageSpin() {
  return (
    <div className="full-page-spin" role="status" aria-live="polite">
      <span className="css-spinner" aria-hidden />
      <span className="visually-hidden">Đang tải…</span>
    </div>
  );
}
