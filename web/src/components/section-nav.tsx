import { Grid, Segmented } from 'antd';
import { useLocation, useNavigate } from 'react-router';

export type Section = { value: string; label: string };

/**
 * The screens of one feature for a unit, one tap apart: `base` + each section's `value` is its path. Side by side
 * on a wide screen, one under another on a phone (nothing scrolls sideways).
 */
export function SectionNav({ base, sections, label }: { base: string; sections: Section[]; label: string }) {
  const navigate = useNavigate();
  const phone = Grid.useBreakpoint().sm === false;
  const current = useLocation().pathname.slice(base.length);
  return (
    <nav aria-label={label} style={{ marginBottom: 16 }}>
      <Segmented value={sections.some((s) => s.value === current) ? current : ''} vertical={phone} block={phone}
                 options={sections} onChange={(value) => navigate(base + value)} />
    </nav>
  );
}
