import { AppError } from '../../core/errors.js';
import type { Actor } from './room-access.js';
import type { RoomFields } from './rooms.repository.js';

/**
 * Which room fields a user token may set (issue 9 item 3); the API key sets them all.
 *
 * On create, a user sets: `_id`, `name`, `cover`, `description`, `roomType`, `roomTags`,
 * `extParams`, `encrypted`, `opening`, `historyVisibility`, `botState`, `members`/`invitee`,
 * `systemMessage`, `invitationRequired`, and `owner` only to itself in a group room.
 * On update (the endpoint already requires a room superuser), a superuser sets the same fields and
 * `status` (freeze, spec 7.5); `owner`, `managers` and `historyVisibility` need the room's owner.
 * `webhook` and `botMode` (where the room's messages go, and who answers in it) need the API key.
 */
const KEY_ONLY = ['webhook', 'botMode'] as const;
const OWNER_ONLY = ['owner', 'managers', 'historyVisibility'] as const;

type Settable = RoomFields & { historyVisibility?: unknown };

export function checkCreateFields(actor: Actor, input: Settable, roomType: string): void {
  if (actor.admin) return;
  const refused: string[] = KEY_ONLY.filter((field) => input[field] !== undefined);
  if (input.managers !== undefined) refused.push('managers');
  if (input.status !== undefined) refused.push('status');
  if (input.owner !== undefined && (input.owner !== actor.userId || roomType !== 'group')) refused.push('owner');
  refuse(refused, 'A user token cannot set %s when creating a room (owner only to itself, in a group room)');
}

export function checkUpdateFields(actor: Actor, input: Settable, isOwner: boolean): void {
  if (actor.admin) return;
  const refused: string[] = KEY_ONLY.filter((field) => input[field] !== undefined);
  if (!isOwner) refused.push(...OWNER_ONLY.filter((field) => input[field] !== undefined));
  refuse(
    refused,
    'Only the API key (webhook, botMode) or the room owner (owner, managers, historyVisibility) can set %s',
  );
}

function refuse(fields: string[], template: string): void {
  if (fields.length > 0) throw new AppError('NOT_PERMITTED', template.replace('%s', fields.join(', ')));
}
