import { ADMIN_OPERATIONS } from './operations-admin.js';
import { CHAT_OPERATIONS } from './operations-chat.js';
import type { OperationDoc } from './operation-doc.js';

export type { OperationDoc } from './operation-doc.js';

const OPERATIONS: Record<string, OperationDoc> = { ...ADMIN_OPERATIONS, ...CHAT_OPERATIONS };

/** The tags routes use, in the order the reference lists them. */
export const TAGS: { name: string; description: string }[] = [
  { name: 'Health', description: 'Liveness and readiness probes.' },
  { name: 'Monitoring', description: 'Prometheus metrics, live connections and usage statistics.' },
  { name: 'Application', description: "The application's name and settings." },
  {
    name: 'API keys',
    description: 'Server-side keys (`IM-API-KEY`) with scopes, expiry, allow-lists and rotation; the client key.',
  },
  { name: 'Audit', description: 'The trail of admin requests.' },
  { name: 'Users', description: 'Users (IMKIT "clients") and their profiles.' },
  { name: 'User tokens', description: 'Issuing, binding and revoking user tokens.' },
  { name: 'User groups', description: 'Named sets of users that act as one member.' },
  { name: 'Sandbox sign-in', description: 'Development sign-in with the client key alone.' },
  { name: 'Rooms', description: 'Direct and group rooms.' },
  { name: 'Rooms (SDK)', description: 'Room calls in the forms the IMKIT SDKs send.' },
  { name: 'Members', description: 'Room membership, roles and notification mutes.' },
  { name: 'Invitations', description: 'Rooms that need an invitation before joining.' },
  { name: 'Messages', description: 'Sending, editing, recalling, deleting, pinning and reading messages.' },
  { name: 'Search', description: 'Text search over the messages of the caller’s rooms.' },
  { name: 'Unread counts', description: 'Badges: unread messages per room tag and in total.' },
  { name: 'Moderation', description: 'Room bans, user blocks and mutes set by the platform.' },
  { name: 'Preferences (SDK)', description: 'Per-user and per-room preferences kept for the SDKs.' },
  { name: 'Files (SDK)', description: 'Uploads, downloads and signed URLs.' },
  { name: 'Push devices (SDK)', description: 'Device registration for push notifications.' },
  { name: 'Push', description: 'Push notifications sent by the platform.' },
  { name: 'Runtime configuration', description: 'Key-value configuration that clients read.' },
  { name: 'Webhooks', description: 'Outbound webhooks: settings, signing secret and the delivery log.' },
  { name: 'Dashboard', description: "The operators' dashboard: sign-in, sessions and applications across the server." },
];

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };

const pascal = (word: string) =>
  word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');

/**
 * An operationId for a route the table does not name (e.g. one added since): the verb of its
 * method and the fixed words of its path, `GET /admin/rooms` → `listAdminRooms`,
 * `GET /admin/rooms/{id}` → `getAdminRoom`.
 */
export function generatedOperationId(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  const words = segments.filter((segment) => !segment.startsWith('{'));
  const single = segments.at(-1)?.startsWith('{') ?? false;
  const verb = method === 'GET' ? (single ? 'get' : 'list') : (VERBS[method] ?? method.toLowerCase());
  const noun = words.map(pascal).join('');
  return `${verb}${single && noun.endsWith('s') ? noun.slice(0, -1) : noun}`;
}

/** The table's entry for a route (`path` in OpenAPI form, `{id}`), or a generated id. */
export function operationDocOf(method: string, path: string): OperationDoc {
  return OPERATIONS[`${method} ${path}`] ?? { id: generatedOperationId(method, path) };
}
