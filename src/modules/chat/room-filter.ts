// sift is CommonJS: under NodeNext its default import is the whole module.
import sift, { type Query } from 'sift';

type SiftOptions = Parameters<typeof sift.createEqualsOperation>[2];
import { AppError } from '../../core/errors.js';
import { assertSafeInput } from '../../shared/input-guard.js';
import { checkPattern, safeRegexTest, UnsafePatternError } from '../../shared/safe-regex.js';
import { iso } from '../../shared/time.js';
import type { Member } from './members.repository.js';
import type { Room } from './rooms.repository.js';

/** The operators of the user filter (spec 3.4, [hist] 5.7); anything else (`$where` above all) is refused. */
const OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$all',
  '$regex',
  '$options',
  '$exists',
]);

const LIST_OPERATORS = new Set(['$in', '$nin', '$all']);

/**
 * The room fields the history's filter names ([hist] 5.7). `isPublic`, `refRoom` and `assignTo`
 * are storage fields Parley does not keep: they are absent from every room, as in MongoDB.
 */
const FIELDS = new Set([
  '_id',
  'owner',
  'name',
  'cover',
  'description',
  'lastMessage',
  'isPublic',
  'members',
  'createdTime',
  'status',
  'roomType',
  'opening',
  'roomTags',
  'serviceStatus',
  'refRoom',
  'assignTo',
  'botMode',
  'botState',
  'webhook',
  'extParams',
]);

/** `caller`: a member of every listed room, directly or through a group. */
export type RoomFilter = (room: Room, members: readonly Member[], caller: string) => boolean;

/**
 * `q` of `GET /rooms` ([hist] 5.7): a MongoDB-style filter over the fields above, matched against the
 * caller's rooms only, so a `members` condition narrows and never widens. Regular expressions run on
 * RE2 (linear time), as in the user filter.
 */
export function parseRoomFilter(text: string | undefined): RoomFilter | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_QUERY', 'q must be a JSON object');
  }
  assertSafeInput(value, 'q');
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new AppError('INVALID_QUERY', 'q must be a JSON object');
  for (const [field, condition] of Object.entries(value)) {
    if (!FIELDS.has(field)) throw new AppError('INVALID_QUERY', `q cannot filter on ${field}`);
    checkCondition(field, condition);
  }
  if (Object.keys(value).length === 0) return undefined;
  const matches = sift.default(value as Query<Record<string, unknown>>, {
    operations: {
      $regex: (pattern: unknown, ownerQuery: { $options?: string }, options: SiftOptions) =>
        sift.createEqualsOperation(
          (candidate: unknown) =>
            typeof candidate === 'string' && safeRegexTest(pattern as string, ownerQuery.$options ?? '', candidate),
          ownerQuery,
          options,
        ),
    },
  });
  return (room, members, caller) => matches(document(room, members, caller));
}

function checkCondition(field: string, condition: unknown): void {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return;
  const entries = Object.entries(condition);
  if (!entries.every(([key]) => key.startsWith('$')))
    throw new AppError('INVALID_QUERY', `q.${field} must be a value or an object of $-operators`);
  for (const [operator, operand] of entries) {
    if (!OPERATORS.has(operator)) throw new AppError('INVALID_QUERY', `Operator ${operator} is not supported`);
    if (operand !== null && typeof operand === 'object' && !Array.isArray(operand))
      throw new AppError('INVALID_QUERY', `${operator} takes a value or a list`);
    if (LIST_OPERATORS.has(operator) && !Array.isArray(operand))
      throw new AppError('INVALID_QUERY', `${operator} takes a list`);
    if (operator === '$exists' && typeof operand !== 'boolean')
      throw new AppError('INVALID_QUERY', '$exists takes true or false');
  }
  const { $regex: pattern, $options: flags } = condition as { $regex?: unknown; $options?: unknown };
  if (flags !== undefined && (typeof flags !== 'string' || pattern === undefined))
    throw new AppError('INVALID_QUERY', '$options must be a string next to $regex');
  if (pattern === undefined) return;
  if (typeof pattern !== 'string') throw new AppError('INVALID_QUERY', '$regex takes a string');
  try {
    checkPattern(pattern, (flags as string | undefined) ?? '');
  } catch (error) {
    if (error instanceof UnsafePatternError) throw new AppError('INVALID_QUERY', error.message);
    throw error;
  }
}

/** The room as the history's filter sees it: its stored field names and values. */
function document(room: Room, members: readonly Member[], caller: string): Record<string, unknown> {
  return {
    _id: room.id,
    owner: room.owner,
    name: room.name,
    cover: room.cover,
    description: room.description,
    lastMessage: room.lastMessageId,
    members: [...new Set([caller, ...members.map((member) => member.userId)])],
    createdTime: iso(room.createdAt),
    status: room.status,
    roomType: room.roomType,
    opening: room.opening,
    roomTags: room.roomTags,
    serviceStatus: room.serviceStatus,
    botMode: room.botMode,
    botState: room.botState ?? '',
    webhook: room.webhook,
    extParams: parsed(room.extParams),
  };
}

function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
