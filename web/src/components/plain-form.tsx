/**
 * Forms in plain HTML styled by app.css, for the pages that must load without Ant Design (sign-in, the member's
 * public pages): a field with its label and its error, and a submit that shows the API's refusal.
 */

import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { ApiProblem, formErrors } from '@/lib/problem';

type Errors = Record<string, string | undefined>;

/**
 * A submit that checks the required fields, then shows the API's refusal above the form, or on the field it names
 * when `onFields`.
 */
export function useSubmit<Values extends Record<string, string>>(
  fields: Record<keyof Values, string>,
  send: (values: Values) => Promise<void>,
  onFields = true,
) {
  const [errors, setErrors] = useState<Errors>({});
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  /** Sends, showing the work as busy and the API's refusal as `onSubmit` does. */
  const run = async (sending: () => Promise<void>) => {
    setProblem(undefined);
    setBusy(true);
    try {
      await sending();
    } catch (error) {
      if (!(error instanceof ApiProblem)) {
        setProblem('Có lỗi xảy ra. Vui lòng thử lại.');
      } else if (!onFields) {
        setProblem(error.messageVi);
      } else {
        const { fields: onFields, other } = formErrors(error, Object.keys(fields));
        setErrors(Object.fromEntries(onFields.map((field) => [field.name.join('.'), field.errors[0]])));
        setProblem(onFields.length === 0 && other.length === 0 ? error.messageVi : other.join(' ') || undefined);
      }
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values = Object.fromEntries(Object.keys(fields).map((name) => [name, String(data.get(name) ?? '')])) as Values;
    const missing = Object.fromEntries(
      Object.entries(fields).filter(([name]) => !values[name].trim()).map(([name, message]) => [name, message]),
    ) as Errors;
    setErrors(missing);
    setProblem(undefined);
    if (Object.keys(missing).length) return;
    await run(() => send(values));
  };
  return { errors, problem, busy, onSubmit, run };
}

export function Field({ name, label, error, children }: {
  name: string; label: string; error?: string; children: (props: Record<string, unknown>) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="plain-field">
      <label htmlFor={id}>{label}</label>
      {children({
        id, name, className: 'plain-input', 'aria-invalid': error ? true : undefined,
        'aria-describedby': error ? `${id}-error` : undefined,
      })}
      {error && <div id={`${id}-error`} className="plain-field-error">{error}</div>}
    </div>
  );
}
