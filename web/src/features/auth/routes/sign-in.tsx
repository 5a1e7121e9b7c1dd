/**
 * Đăng nhập: username and password; then, as identity asks, the TOTP code, the login-time TOTP enrolment, or the
 * forced password change of a first sign-in. Afterwards the user goes back to where they were (`?next=`).
 *
 * This page is what an officer on a slow phone waits for first, so it is plain HTML styled by app.css, with no
 * Ant Design: its JavaScript is React, the router and the API layer only. The rare steps load when needed.
 * The build also renders it into `dang-nhap.html` (`prerender`), which the gateway serves for /dang-nhap: the form
 * shows and takes typing before any script arrives; when the app starts it takes over what was typed.
 */

import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { FullPageSpin } from '@/components/full-page-spin';
import { Field, useSubmit } from '@/components/plain-form';
import { ApiProblem } from '@/lib/problem';
import { useSession } from '@/lib/session-hooks';
import {
  acceptEarlySignIn, type Credentials, earlySignIn, signIn, startLoginEnrolment, takeEarlySignIn,
} from '../api/auth';
import type { TokenAnswer } from '@/lib/session';

const EnrolStep = lazy(() => import('../components/first-sign-in-steps').then((module) => ({ default: module.EnrolStep })));
const ChangeStep = lazy(() => import('../components/first-sign-in-steps').then((module) => ({ default: module.ChangeStep })));

type Step =
  | { name: 'password' }
  | { name: 'totp'; credentials: Credentials }
  | { name: 'enrol'; credentials: Credentials; enrolment: { secret: string; otpauth_uri: string } }
  | { name: 'change'; credentials: Credentials };

/** Only this app's own paths: `next` must not send the user to another site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/dang-nhap') ? next : '/';
}

/**
 * `prerender`: the build's static copy, whose button is enabled by its early script (src/early-sign-in.ts), never
 * sent natively.
 */
export function SignInPage({ prerender = false }: { prerender?: boolean }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const state = useSession();
  const [step, setStep] = useState<Step>({ name: 'password' });
  const next = safeNext(params.get('next'));
  const done = () => navigate(next, { replace: true });
  const expired = state.status === 'signed-out' && state.reason === 'expired';

  // While the session check is on its way (a round trip on a slow phone) the form is already there to fill in.
  // Already signed in (a reload of this page, a bookmark): straight on. Not mid-way through a step that signed in
  // but still has something to show (recovery codes, the forced password change).
  if (state.status === 'signed-in' && !state.mustChangePassword && step.name === 'password') {
    return <Navigate to={next} replace />;
  }

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <header className="sign-in-header">
          <img src="/favicon.svg" alt="" width={48} height={48} />
          <h1>Quản lý đoàn viên công đoàn</h1>
        </header>
        {expired && step.name === 'password' && (
          <p className="plain-alert warning" role="alert">Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại để tiếp tục.</p>
        )}
        {step.name === 'password' && <PasswordStep onStep={setStep} onDone={done} prerender={prerender} />}
        {step.name === 'totp' && <TotpStep credentials={step.credentials} onStep={setStep} onDone={done} />}
        <Suspense fallback={<FullPageSpin />}>
          {step.name === 'enrol' && (
            <EnrolStep credentials={step.credentials} enrolment={step.enrolment} onDone={done}
                       onChange={() => setStep({ name: 'change', credentials: step.credentials })} />
          )}
          {step.name === 'change' && <ChangeStep credentials={step.credentials} onDone={done} />}
        </Suspense>
        <p style={{ marginTop: 16 }}><Link to="/tra-cuu">Đoàn viên tra cứu thông tin của mình</Link></p>
      </div>
    </main>
  );
}

/** The fields a sign-in needs, and what is said when one is left empty (also read by the early script). */
const REQUIRED = { username: 'Nhập tên đăng nhập', password: 'Nhập mật khẩu' };

type Typed = { username?: string; password?: string; focused?: string; caret?: number | null };

/**
 * What the officer typed into the prerendered form before the script arrived. Read while rendering, which happens
 * in the same task as the commit that replaces that form, so no keystroke falls between the two.
 */
function typedBeforeScript(): Typed {
  if (typeof document === 'undefined') return {};
  const form = document.querySelector<HTMLFormElement>('form[data-prerendered]');
  if (!form) return {};
  const field = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]`);
  const focused = document.activeElement instanceof HTMLInputElement && form.contains(document.activeElement)
    ? document.activeElement : null;
  return {
    username: field('username')?.value, password: field('password')?.value,
    focused: focused?.name, caret: focused?.selectionStart,
  };
}

function PasswordStep({ onStep, onDone, prerender }: {
  onStep: (step: Step) => void;
  onDone: () => void;
  prerender: boolean;
}) {
  const [typed] = useState(typedBeforeScript);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // Back to the field and the place where the officer was typing.
    const field = typed.focused && formRef.current?.querySelector<HTMLInputElement>(`input[name="${typed.focused}"]`);
    if (!field) return;
    field.focus();
    const caret = typed.caret ?? field.value.length;
    field.setSelectionRange(caret, caret);
  }, [typed]);
  // One sign-in's answer, from the app's own request or from the one the page sent before the app arrived.
  const answered = async (credentials: Credentials, login: Promise<TokenAnswer>) => {
    try {
      const tokens = await login;
      if (tokens.must_change_password) onStep({ name: 'change', credentials });
      else onDone();
    } catch (error) {
      if (error instanceof ApiProblem && error.code === 'totp-required') {
        onStep({ name: 'totp', credentials });
      } else if (error instanceof ApiProblem && error.code === 'totp-enrolment-required') {
        const enrolment = await startLoginEnrolment(credentials.username, credentials.password);
        onStep({ name: 'enrol', credentials, enrolment });
      } else {
        throw error;
      }
    }
  };
  const { errors, problem, busy, onSubmit, run } = useSubmit<{ username: string; password: string }>(
    REQUIRED,
    (credentials) => answered(credentials, signIn(credentials)),
    false, // wrong password, locked or disabled account: one message above the form says which, and for how long
  );
  // Busy from the first render while that answer is awaited, so the form cannot be sent twice.
  const [early, setEarly] = useState(() => (prerender ? undefined : earlySignIn()));
  useEffect(() => {
    if (!early || !takeEarlySignIn(early)) return;
    void run(() => answered(early, acceptEarlySignIn(early))).finally(() => setEarly(undefined));
  }, [early]); // only `early`: `run` and `answered` are new on every render
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate data-prerendered={prerender || undefined}>
      {problem && <p className="plain-alert" role="alert">{problem}</p>}
      <Field name="username" label="Tên đăng nhập" error={errors.username}>
        {(props) => (
          <input {...props} autoComplete="username" autoFocus={!typed.focused} autoCapitalize="none"
                 defaultValue={typed.username} data-required={REQUIRED.username} />
        )}
      </Field>
      <Field name="password" label="Mật khẩu" error={errors.password}>
        {(props) => (
          <input {...props} type="password" autoComplete="current-password" defaultValue={typed.password}
                 data-required={REQUIRED.password} />
        )}
      </Field>
      <button type="submit" className="plain-button block" disabled={busy || prerender || Boolean(early)}
              aria-busy={busy || Boolean(early) || undefined}>
        Đăng nhập
      </button>
    </form>
  );
}

function TotpStep({ credentials, onStep, onDone }: {
  credentials: Credentials;
  onStep: (step: Step) => void;
  onDone: () => void;
}) {
  const { errors, problem, busy, onSubmit } = useSubmit<{ totp_code: string }>(
    { totp_code: 'Nhập mã xác thực' },
    async ({ totp_code }) => {
      const tokens = await signIn({ ...credentials, totp_code: totp_code.trim() });
      if (tokens.must_change_password) onStep({ name: 'change', credentials });
      else onDone();
    },
  );
  return (
    <form onSubmit={onSubmit} noValidate>
      <p>Nhập mã 6 chữ số trong ứng dụng xác thực trên điện thoại, hoặc một mã khôi phục.</p>
      {problem && <p className="plain-alert" role="alert">{problem}</p>}
      <Field name="totp_code" label="Mã xác thực" error={errors.totp_code}>
        {(props) => <input {...props} autoComplete="one-time-code" inputMode="numeric" autoFocus />}
      </Field>
      <button type="submit" className="plain-button block" disabled={busy} aria-busy={busy}>Xác nhận</button>
      <button type="button" className="plain-link block" onClick={() => onStep({ name: 'password' })}>Quay lại</button>
    </form>
  );
}
