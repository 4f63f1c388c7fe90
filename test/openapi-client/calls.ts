/**
 * Three calls through a client typed from the server's own OpenAPI document. The types come from
 * `generated/parley-api.ts`, which test/api/platform/openapi-document.test.ts generates (git-ignored)
 * and then typechecks with this file (tsconfig.json here): a document a client cannot be built
 * from, or a call that no longer fits it, fails that check.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/parley-api.js';

type KeyLayerError = components['schemas']['KeyLayerError'];
type EndpointError = components['schemas']['EndpointError'];

/** The code of either error shape (spec 1.5): both are typed, so neither branch compiles against `any` alone. */
export function errorCode(body: KeyLayerError | EndpointError): string {
  return typeof body.error === 'string' ? body.error : body.error.code;
}

export interface Parley {
  baseUrl: string;
  apiKey: string;
  clientKey: string;
}

export async function createUserThenReadIt({ baseUrl, apiKey }: Parley, userId: string) {
  const admin = createClient<paths>({ baseUrl, headers: { 'IM-API-KEY': apiKey } });
  const created = await admin.POST('/admin/clients', {
    body: { _id: userId, nickname: 'Typed Client', issueAccessToken: true },
  });
  const token: string | undefined = created.data?.result.token;
  const fetched = await admin.GET('/admin/clients/{id}', { params: { path: { id: userId } } });
  const nickname: string | undefined = fetched.data?.result.nickname;
  return { status: [created.response.status, fetched.response.status], token, nickname };
}

export async function listRoomsAsUser({ baseUrl, clientKey }: Parley, token: string) {
  const user = createClient<paths>({ baseUrl, headers: { 'IM-CLIENT-KEY': clientKey, 'IM-Authorization': token } });
  const rooms = await user.GET('/rooms', { params: { query: { limit: 10 } } });
  const ids: string[] | undefined = rooms.data?.result.data.map((room) => room.id);
  return { status: rooms.response.status, totalCount: rooms.data?.result.totalCount, ids };
}

export async function refusals({ baseUrl, apiKey }: Parley) {
  const admin = createClient<paths>({ baseUrl, headers: { 'IM-API-KEY': apiKey } });
  const missing = await admin.GET('/admin/clients/{id}', { params: { path: { id: 'nobody-by-this-id' } } });
  // @ts-expect-error -- an error body has no `result`: the error is typed, not `any`
  missing.error?.result;
  const stranger = createClient<paths>({ baseUrl, headers: { 'IM-API-KEY': 'not-a-key-of-this-server' } });
  const refused = await stranger.GET('/rooms', {});
  return {
    missing: { status: missing.response.status, body: missing.error, code: missing.error && errorCode(missing.error) },
    refused: { status: refused.response.status, body: refused.error, code: refused.error && errorCode(refused.error) },
  };
}
