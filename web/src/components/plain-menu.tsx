/**
 * A button's drop-down, plain HTML (app.css `.plain-popup`), for the parts of a plain screen's first view that open
 * one (the user menu, the members list's export and columns): Ant Design's Dropdown would bring its code and
 * stylesheet before the first rows. `PlainMenu` is the WAI-ARIA menu button (arrow keys, Home/End, Escape gives the
 * focus back to the button); `PlainPopup` holds other content (the column chooser's boxes). Both close on a click
 * outside and when the focus leaves them.
 */

import { type FocusEvent, type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';

type Trigger = {
  /** What the button shows. */
  button: ReactNode;
  /** The button's accessible name, when what it shows does not say it. */
  label?: string;
  /** The button's class (app.css): `plain-button secondary middle` unless said. */
  className?: string;
};

function usePopup() {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    const outside = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);
  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) button.current?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open) {
      event.stopPropagation();
      close(true);
    }
  };
  const onBlur = (event: FocusEvent) => {
    if (!root.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
  };
  return { open, setOpen, root, button, close, onKeyDown, onBlur };
}

export function PlainPopup({ button, label, className, children, panelLabel }: Trigger & {
  children: ReactNode;
  /** The accessible name of what opens. */
  panelLabel: string;
}) {
  const popup = usePopup();
  const id = useId();
  return (
    <div className="plain-popup" ref={popup.root} onKeyDown={popup.onKeyDown} onBlur={popup.onBlur}>
      <button type="button" ref={popup.button} className={className ?? 'plain-button secondary middle'}
              aria-label={label} aria-expanded={popup.open} aria-controls={id}
              onClick={() => popup.setOpen(!popup.open)}>
        {button}
      </button>
      {popup.open && <div id={id} className="plain-popup-panel" role="group" aria-label={panelLabel}>{children}</div>}
    </div>
  );
}

export type MenuItem = { key: string; label: string; dividerBefore?: boolean };

export function PlainMenu({ button, label, className, items, onSelect }: Trigger & {
  items: MenuItem[];
  onSelect: (key: string) => void;
}) {
  const popup = usePopup();
  const id = useId();
  const list = useRef<HTMLUListElement>(null);
  const [focusFirst, setFocusFirst] = useState<'first' | 'last'>('first');
  const entries = () => [...(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
  useEffect(() => {
    if (!popup.open) return;
    const all = entries();
    (focusFirst === 'first' ? all[0] : all[all.length - 1])?.focus();
  }, [popup.open, focusFirst]);
  const openWith = (which: 'first' | 'last') => {
    setFocusFirst(which);
    popup.setOpen(true);
  };
  const move = (event: KeyboardEvent<HTMLUListElement>) => {
    const all = entries();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[event.key];
    if (to === undefined) {
      if (event.key === 'Tab') popup.setOpen(false);
      return;
    }
    event.preventDefault();
    all[(to + all.length) % all.length]?.focus();
  };
  const choose = (key: string) => {
    popup.close(true);
    onSelect(key);
  };
  return (
    <div className="plain-popup" ref={popup.root} onKeyDown={popup.onKeyDown} onBlur={popup.onBlur}>
      <button type="button" ref={popup.button} className={className ?? 'plain-button secondary middle'}
              aria-label={label} aria-haspopup="menu" aria-expanded={popup.open} aria-controls={id}
              onClick={() => (popup.open ? popup.setOpen(false) : openWith('first'))}
              onKeyDown={(event) => {
                if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                  event.preventDefault();
                  openWith(event.key === 'ArrowDown' ? 'first' : 'last');
                }
              }}>
        {button}
      </button>
      {popup.open && (
        <ul id={id} ref={list} className="plain-popup-panel plain-menu" role="menu" aria-label={label}
            onKeyDown={move}>
          {items.map((item) => (
            <li key={item.key} role="none" className={item.dividerBefore ? 'divider-before' : undefined}>
              <button type="button" role="menuitem" tabIndex={-1} onClick={() => choose(item.key)}>{item.label}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
