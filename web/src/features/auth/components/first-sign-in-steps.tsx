/**
 * The rare steps of a sign-in, in Ant Design: the login-time TOTP enrolment and the forced password change of a
 * first sign-in. Loaded only when identity asks for them, so the sign-in page itself stays small.
 */

import { Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { AntdProvider } from '@/components/antd-provider';
import { session } from '@/lib/session';
import { type Credentials, confirmLoginEnrolment, signIn } from '../api/auth';
import { ChangePasswordForm } from './change-password-form';

// The QR code is heavy: loaded only when the enrolment is shown.
const TotpEnrolment = lazy(() => import('./totp-enrolment').then((module) => ({ default: module.TotpEnrolment })));

export function EnrolStep({ credentials, enrolment, onChange, onDone }: {
  credentials: Credentials;
  enrolment: { secret: string; otpauth_uri: string };
  onChange: () => void;
  onDone: () => void;
}) {
  return (
    <AntdProvider>
      <h2>Bật xác thực hai lớp</h2>
      <p>Tài khoản của bạn phải bật xác thực hai lớp trước khi sử dụng.</p>
      <Suspense fallback={<Spin />}>
        <TotpEnrolment
          enrolment={enrolment}
          confirm={(code) => confirmLoginEnrolment(credentials.username, credentials.password, code)}
          onDone={() => (session.state.status === 'signed-in' && session.state.mustChangePassword ? onChange() : onDone())}
        />
      </Suspense>
    </AntdProvider>
  );
}

export function ChangeStep({ credentials, onDone }: { credentials: Credentials; onDone: () => void }) {
  return (
    <AntdProvider>
      <h2>Đổi mật khẩu</h2>
      <p>Đây là lần đăng nhập đầu tiên (hoặc mật khẩu vừa được cấp lại). Hãy đặt mật khẩu của riêng bạn.</p>
      <ChangePasswordForm
        currentPassword={credentials.password}
        submitText="Đổi mật khẩu và tiếp tục"
        onChanged={async (newPassword) => {
          // Changing the password ends every session: sign in again with the new one.
          await signIn({ username: credentials.username, password: newPassword });
          onDone();
        }}
      />
    </AntdProvider>
  );
}
