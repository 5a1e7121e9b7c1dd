/**
 * The sign-in page as HTML, rendered at build time (vite.config.ts writes it into `dist/dang-nhap.html`, which the
 * gateway serves for /dang-nhap). On a slow phone the form is there with the page itself, before any script:
 * the officer can start typing while the app loads, and the app takes over what was typed (sign-in.tsx).
 */

import { renderToString } from 'react-dom/server';
import { StaticRouter } from 'react-router';
import { SignInPage } from './routes/sign-in';

export function renderSignIn(): string {
  return renderToString(
    <StaticRouter location="/dang-nhap">
      <SignInPage prerender />
    </StaticRouter>,
  );
}
