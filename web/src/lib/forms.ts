import type { FormInstance } from 'antd';
import { useState } from 'react';
import { ApiProblem, formErrors } from './problem';

/**
 * A form's submit that shows the API's refusal on the fields it names (what the user typed stays), and
 * whatever names no field of the form above it.
 */
export function useFormSubmit<Values, Result>(
  form: FormInstance<Values>,
  submit: (values: Values) => Promise<Result>,
) {
  const [problem, setProblem] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);

  const onFinish = async (values: Values): Promise<Result | undefined> => {
    setProblem([]);
    setSubmitting(true);
    try {
      return await submit(values);
    } catch (error) {
      setProblem(showOnForm(form, error));
      return undefined;
    } finally {
      setSubmitting(false);
    }
  };
  return { onFinish, problem, submitting, clearProblem: () => setProblem([]) };
}

/** Puts a problem's field errors on the form; returns the messages that belong to no field of it. */
export function showOnForm<Values>(form: FormInstance<Values>, error: unknown): string[] {
  if (!(error instanceof ApiProblem)) return ['Có lỗi xảy ra. Vui lòng thử lại.'];
  const known = Object.keys((form.getFieldsValue() as object | undefined) ?? {});
  const { fields, other } = formErrors(error, known);
  form.setFields(fields.map((field) => ({ name: field.name as never, errors: field.errors })));
  if (fields.length === 0 && other.length === 0) return [error.messageVi];
  return other;
}
