import { useId } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useMedia } from '@/lib/media';

export type Section = { value: string; label: string };

/**
 * The screens of one feature for a unit, one tap apart: `base` + each section's `value` is its path. Side by side
 * on a wide screen, one under another on a phone (nothing scrolls sideways).
 * Plain HTML drawn like Ant Design's segmented control (app.css `.plain-segmented`), as its radio group: Tab reaches
 * the current section, the arrow keys go to the one before or after. It is part of a plain screen's first view (the
 * months of dues), which waits for no Ant Design code.
 */
export function SectionNav({ base, sections, label }: { base: string; sections: Section[]; label: string }) {
  const navigate = useNavigate();
  const phone = !useMedia('(min-width: 576px)'); // Ant Design's `sm`
  const name = useId();
  const path = useLocation().pathname.slice(base.length);
  const current = sections.some((s) => s.value === path) ? path : '';
  return (
    <nav aria-label={label} style={{ marginBottom: 16 }}>
      <div role="radiogroup" aria-label={label} aria-orientation={phone ? 'vertical' : 'horizontal'}
           className={`plain-segmented${phone ? ' vertical' : ''}`}>
        {sections.map((section) => (
          <label key={section.value} className={section.value === current ? 'selected' : undefined}>
            <input type="radio" name={name} checked={section.value === current}
                   onChange={() => navigate(base + section.value)} />
            <span title={section.label}>{section.label}</span>
          </label>
        ))}
      </div>
    </nav>
  );
}
