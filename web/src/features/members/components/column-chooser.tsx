import { SettingOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { PlainPopup } from '@/components/plain-menu';

/** Which columns of a table to show, remembered on this browser. */
export function useColumnChoice(storageKey: string, all: { key: string; title: string }[], hiddenByDefault: string[]) {
  const [hidden, setHidden] = useState<string[]>(() => {
    try {
      const stored = window.localStorage.getItem(storageKey);
      return stored ? (JSON.parse(stored) as string[]) : hiddenByDefault;
    } catch {
      return hiddenByDefault;
    }
  });
  const toggle = (key: string, visible: boolean) => {
    const next = visible ? hidden.filter((k) => k !== key) : [...hidden, key];
    setHidden(next);
    window.localStorage.setItem(storageKey, JSON.stringify(next));
  };
  // Plain (components/plain-menu.tsx): it is in the list's first view on a wider screen.
  const chooser = (
    <PlainPopup panelLabel="Chọn cột hiển thị" button={<><SettingOutlined aria-hidden /> Cột</>}>
      {all.map((column) => (
        <label key={column.key} className="plain-check">
          <input type="checkbox" checked={!hidden.includes(column.key)}
                 onChange={(event) => toggle(column.key, event.target.checked)} />
          {column.title}
        </label>
      ))}
    </PlainPopup>
  );
  return { visible: (key: string) => !hidden.includes(key), chooser };
}
