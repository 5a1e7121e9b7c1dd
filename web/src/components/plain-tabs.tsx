/**
 * Tabs in plain HTML (app.css `.plain-tabs`), drawn like Ant Design's, for a plain screen's first view (the print
 * orders): WAI-ARIA's tabs pattern, the arrow keys, Home and End moving between tabs (automatic activation), only the
 * selected tab in the Tab order. A panel renders once its tab is first chosen and stays rendered (hidden) after, as
 * Ant Design's tabs keep a visited panel: what was typed or chosen in it is still there on coming back.
 */

import { type KeyboardEvent, type ReactNode, useId, useRef, useState } from 'react';

export type PlainTab = { key: string; label: string; children: ReactNode };

export function PlainTabs({ items, label }: { items: PlainTab[]; label: string }) {
  const [active, setActive] = useState(items[0]?.key);
  const [visited, setVisited] = useState(() => new Set(active ? [active] : []));
  const id = useId();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const choose = (index: number) => {
    const key = items[index].key;
    setActive(key);
    setVisited((before) => (before.has(key) ? before : new Set([...before, key])));
    tabs.current[index]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const last = items.length - 1;
    const next = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[
      event.key];
    if (next === undefined) return;
    event.preventDefault();
    choose(next);
  };
  return (
    <div className="plain-tabs">
      <div role="tablist" aria-label={label} className="plain-tabs-list">
        {items.map((item, index) => (
          <button key={item.key} type="button" role="tab" id={`${id}-tab-${item.key}`} aria-controls={`${id}-panel-${item.key}`}
                  aria-selected={item.key === active} tabIndex={item.key === active ? 0 : -1}
                  ref={(element) => {
                    tabs.current[index] = element;
                  }}
                  onClick={() => choose(index)} onKeyDown={(event) => onKeyDown(event, index)}>
            {item.label}
          </button>
        ))}
      </div>
      {items.filter((item) => visited.has(item.key)).map((item) => (
        <div key={item.key} role="tabpanel" id={`${id}-panel-${item.key}`} aria-labelledby={`${id}-tab-${item.key}`}
             hidden={item.key !== active}>
          {item.children}
        </div>
      ))}
    </div>
  );
}
