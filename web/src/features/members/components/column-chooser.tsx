import { SettingOutlined } from '@ant-design/icons';
import { Button, Checkbox, Dropdown } from 'antd';
import { useState } from 'react';

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
  const chooser = (
    <Dropdown
      trigger={['click']}
      popupRender={() => (
        <div className="column-chooser" role="group" aria-label="Chọn cột hiển thị">
          {all.map((column) => (
            <Checkbox key={column.key} checked={!hidden.includes(column.key)}
                      onChange={(event) => toggle(column.key, event.target.checked)}>
              {column.title}
            </Checkbox>
          ))}
        </div>
      )}
    >
      <Button icon={<SettingOutlined aria-hidden />}>Cột</Button>
    </Dropdown>
  );
  return { visible: (key: string) => !hidden.includes(key), chooser };
}
