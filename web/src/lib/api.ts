/**
 * The one API layer: a typed client of the gateway's OpenAPI (`api-schema.d.ts`, generated from
 * contracts/openapi/gateway.json), the access token on every call, one renewal and retry when a token has just
 * run out, and every failure turned into an `ApiProblem` carrying the server's Vietnamese message.
 */

import createClient from 'openapi-fetch';
import type { paths } from './api-schema';
import { ApiProblem } from './problem';
import { session } from './session';

async function authorizedFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await send(request);
  if (response.status !== 401 || !session.token) return response;
  // The access token may have run out a moment ago: renew once and try again.
  if (await session.refresh()) return send(retry);
  return response;
}

/** An answer the page's first script got for this request, with this token (src/early-session.ts); once. */
async function takeEarlyAnswer(request: Request, token: string): Promise<Response | undefined> {
  const answers = window.earlyAnswers;
  if (!answers || request.method !== 'GET') return undefined;
  const url = new URL(request.url);
  const key = `${url.pathname}${url.search}`;
  const early = answers[key];
  if (!early) return undefined;
  delete answers[key];
  const answer = await early;
  return answer?.token === token ? answer.response : undefined;
}

async function send(request: Request): Promise<Response> {
  const token = session.token;
  if (token) request.headers.set('authorization', `Bearer ${token}`);
  try {
    const early = token ? await takeEarlyAnswer(request, token) : undefined;
    if (early) return early;
    return await fetch(request);
  } catch (error) {
    throw ApiProblem.network(error);
  }
}

declare global {
  interface Window {
    /** The answers the page's first script got for its screen's first data (src/early-session.ts), until taken. */
    earlyAnswers?: Record<string, Promise<{ token: string; response: Response } | undefined>>;
  }
}

export const api = createClient<paths>({ baseUrl: '', fetch: authorizedFetch });

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The answer's data, or an `ApiProblem`. A 401 ends the session: the app asks the user to sign in again. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    if (response.status === 401) session.expire();
    throw await ApiProblem.fromResponse(response, error);
  }
  return data as T;
}

export type { paths };
export type Schemas = import('./api-schema').components['schemas'];
