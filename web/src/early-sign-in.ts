/**
 * The prerendered sign-in page's own script (a separate entry of the build, under 1 KB, loaded beside the app's
 * ~95 KB). On a slow phone the app's JavaScript takes seconds to arrive; this lets the officer send the form as soon
 * as the page is there: it checks the required fields, sends the login and hands the unread answer to the app
 * (`takeEarlySignIn` in features/auth/api/auth.ts), which treats it exactly as its own answer: the TOTP step, the
 * password change, the refusal in Vietnamese. It imports nothing, so that the build makes it one small file: the
 * required fields and their messages come from the form's markup (`data-required`), and the login's address and
 * token transport are those of `signIn`. It keeps nothing: the app takes the answer off `window` when it starts.
 * Without this script the prerendered button stays disabled, so the form is never sent natively.
 */

export {}; // a module, as the build's entries are

function showRequired(input: HTMLInputElement, message: string | undefined): void {
  const id = `${input.id}-error`;
  document.getElementById(id)?.remove();
  if (!message) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    return;
  }
  const error = document.createElement('div');
  error.id = id;
  error.className = 'plain-field-error';
  error.textContent = message;
  input.after(error);
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
}

function enableEarlySignIn(): void {
  const form = document.querySelector<HTMLFormElement>('form[data-prerendered]');
  const button = form?.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (!form || !button) return;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (window.earlySignIn || !form.isConnected) return;
    const values: Record<string, string> = {};
    let firstMissing: HTMLInputElement | undefined;
    for (const input of form.querySelectorAll<HTMLInputElement>('input[data-required]')) {
      values[input.name] = input.value;
      const missing = !input.value.trim();
      showRequired(input, missing ? input.dataset.required : undefined);
      if (missing) firstMissing ??= input;
    }
    if (firstMissing) {
      firstMissing.focus();
      return;
    }
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    window.earlySignIn = {
      username: values.username,
      password: values.password,
      answer: fetch('/api/v1/identity/login', { // as signIn sends it
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-token-transport': 'cookie' },
        body: JSON.stringify({ username: values.username, password: values.password }),
      }),
    };
  });
  button.disabled = false;
}

enableEarlySignIn();
