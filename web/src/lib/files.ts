/**
 * Files to and from the API: downloads (exports, reports, letters) saved under the server's file name, and
 * uploads with their progress (fetch cannot report upload progress, XMLHttpRequest can).
 */

import { ApiProblem } from './problem';
import { session } from './session';

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function authorized(url: string): Promise<Response> {
  const attempt = () =>
    fetch(url, { headers: session.token ? { authorization: `Bearer ${session.token}` } : {} }).catch((error) => {
      throw ApiProblem.network(error);
    });
  let response = await attempt();
  if (response.status === 401 && (await session.refresh())) response = await attempt();
  if (!response.ok) {
    if (response.status === 401) session.expire();
    throw await ApiProblem.fromResponse(response);
  }
  return response;
}

/** The file name from `Content-Disposition` (RFC 6266 `filename*` first). */
export function fileNameOf(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (extended) return decodeURIComponent(extended[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : fallback;
}

/** Downloads a file of the API and hands it to the browser to save. */
export async function download(path: string, query: Query = {}, fallbackName = 'tai-ve'): Promise<void> {
  const response = await authorized(withQuery(path, query));
  const blob = await response.blob();
  const name = fileNameOf(response.headers.get('content-disposition'), fallbackName);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An image of the API (a member's photo) as an object URL for an <img>, or null when there is none. */
export async function imageUrl(path: string): Promise<string | null> {
  try {
    const response = await authorized(path);
    return URL.createObjectURL(await response.blob());
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return null;
    throw error;
  }
}

export type UploadProgress = { loaded: number; total: number };

/** A file chosen by the user, with form fields beside it, POSTed; `onPercent` follows the bytes sent. */
export function uploadFile<T>(path: string, fields: Record<string, string>, file: File,
                              onPercent?: (percent: number) => void): Promise<T> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', file, file.name);
  return upload<T>(path, form, ({ loaded, total }) => onPercent?.(Math.round((loaded / total) * 100)));
}

/** POSTs (or PUTs) a form with a file; `onProgress` follows the bytes sent. Answers the JSON body. */
export async function upload<T>(
  path: string,
  form: FormData,
  onProgress?: (progress: UploadProgress) => void,
  method: 'POST' | 'PUT' = 'POST',
): Promise<T> {
  let answer = await send<T>(path, form, onProgress, method);
  if (answer.status === 401 && (await session.refresh())) answer = await send<T>(path, form, onProgress, method);
  if (answer.status < 200 || answer.status >= 300) {
    if (answer.status === 401) session.expire();
    throw new ApiProblem(answer.status, { status: answer.status, ...(answer.body as object) });
  }
  return answer.body as T;
}

function send<T>(
  path: string,
  form: FormData,
  onProgress: ((progress: UploadProgress) => void) | undefined,
  method: string,
): Promise<{ status: number; body: T | object }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, path);
    if (session.token) request.setRequestHeader('authorization', `Bearer ${session.token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.({ loaded: event.loaded, total: event.total });
    };
    request.onload = () => {
      let body: object = {};
      try {
        body = request.responseText ? JSON.parse(request.responseText) : {};
      } catch {
        body = {};
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => reject(ApiProblem.network(new Error('upload failed')));
    request.send(form);
  });
}
