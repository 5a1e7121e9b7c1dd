/**
 * RFC 9457 problem details as the platform sends them (`message_vi`, `message_en`, `field`, `errors`), and what
 * a form needs from one: the Vietnamese message on the field it names.
 */

export type ProblemFieldError = {
  field?: string | null;
  code?: string | null;
  message_vi?: string | null;
  message_en?: string | null;
  row?: number | null;
};

export type ProblemBody = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  message_vi?: string;
  message_en?: string;
  field?: string | null;
  errors?: ProblemFieldError[] | null;
  request_id?: string;
  [extension: string]: unknown;
};

const NETWORK_MESSAGE = 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.';
const GENERIC_MESSAGE = 'Có lỗi xảy ra. Vui lòng thử lại sau.';

export class ApiProblem extends Error {
  readonly status: number;
  readonly body: ProblemBody;

  constructor(status: number, body: ProblemBody) {
    super(body.message_vi || body.message_en || body.title || GENERIC_MESSAGE);
    this.name = 'ApiProblem';
    this.status = status;
    this.body = body;
  }

  get code(): string | undefined {
    return this.body.code;
  }

  /** The message an officer reads. */
  get messageVi(): string {
    if (this.isNetwork) return NETWORK_MESSAGE;
    return this.body.message_vi || (this.status >= 500 ? GENERIC_MESSAGE : this.message);
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** Worth offering "Thử lại": the network or the server, not the request itself. */
  get retryable(): boolean {
    return this.isNetwork || this.status >= 500 || this.status === 429;
  }

  static network(cause: unknown): ApiProblem {
    const problem = new ApiProblem(0, { code: 'network', message_vi: NETWORK_MESSAGE });
    problem.cause = cause;
    return problem;
  }

  /** A problem from a response that is not OK, whatever its body (problem+json, other JSON, or none). */
  static async fromResponse(response: Response, parsed?: unknown): Promise<ApiProblem> {
    let body: unknown = parsed;
    if (body === undefined) {
      try {
        body = await response.clone().json();
      } catch {
        body = undefined;
      }
    }
    const problem = typeof body === 'object' && body !== null ? (body as ProblemBody) : {};
    return new ApiProblem(response.status, { status: response.status, ...problem });
  }
}

export type FieldPath = (string | number)[];

/**
 * `lines.0.salary_vnd` (or `lines[0].salary_vnd`, as some services write it) → ['lines', 0, 'salary_vnd'], the
 * name path of an Ant Design form field.
 */
export function fieldPath(field: string): FieldPath {
  return field.replace(/\[(\d+)\]/g, '.$1').split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export type FormFieldError = { name: FieldPath; errors: string[] };

/**
 * The problem's messages per form field, for `form.setFields`, and what names no field of the form (shown above
 * the form instead). Several errors of one field are kept together; nothing the user typed is touched.
 */
export function formErrors(
  problem: ApiProblem,
  knownFields: Iterable<string>,
): { fields: FormFieldError[]; other: string[] } {
  const known = new Set(knownFields);
  const byField = new Map<string, string[]>();
  const other: string[] = [];
  const entries: ProblemFieldError[] = problem.body.errors?.length
    ? problem.body.errors
    : [{ field: problem.body.field, message_vi: problem.messageVi }];
  for (const entry of entries) {
    const message = entry.message_vi || entry.message_en || problem.messageVi;
    const top = entry.field ? String(fieldPath(entry.field)[0]) : undefined;
    if (entry.field && top && known.has(top)) {
      const key = fieldPath(entry.field).join('.');
      byField.set(key, [...(byField.get(key) ?? []), message]);
    } else {
      // Field names are the API's (English): an officer reads only the Vietnamese message.
      other.push(entry.row ? `Dòng ${entry.row}: ${message}` : message);
    }
  }
  return {
    fields: [...byField.entries()].map(([field, errors]) => ({ name: fieldPath(field), errors })),
    other: [...new Set(other)],
  };
}

/**
 * The same problem with its field names mapped to a form's (`roles.0` → `roles` when the form edits the list in
 * one control), so the message lands on the control that holds the value.
 */
export function withFieldNames(error: unknown, rename: (field: string) => string): unknown {
  if (!(error instanceof ApiProblem)) return error;
  const body = error.body;
  return new ApiProblem(error.status, {
    ...body,
    field: body.field ? rename(body.field) : body.field,
    errors: body.errors?.map((entry) => ({ ...entry, field: entry.field ? rename(entry.field) : entry.field })),
  });
}

/** `roles.0.unit_id` → `roles`: for a list the form edits as one control. */
export const listAsOneField = (...lists: string[]) => (field: string): string => {
  const top = field.split('.')[0];
  return lists.includes(top) ? top : field;
};
