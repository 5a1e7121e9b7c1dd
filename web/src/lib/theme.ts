import type { ThemeConfig } from 'antd';

/** Colours chosen for WCAG 2.1 AA contrast on white (4.5:1 and above for text). */
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#0b57a4',
    colorLink: '#0b57a4',
    colorError: '#c0262d',
    colorSuccess: '#1f7a1f',
    colorWarning: '#8a5a00',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextDescription: 'rgba(0, 0, 0, 0.68)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    borderRadius: 6,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
  },
};

/** The same theme with Ant Design's animations off, for users who ask their system for reduced motion. */
export const withoutMotion: ThemeConfig = { ...theme, token: { ...theme.token, motion: false } };
