import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { AppError } from '../../core/errors.js';
import { assertSafeInput } from '../../shared/input-guard.js';
import type { DialectHelpers, JsonTypeName } from '../../storage/dialects/dialect.js';
import type { Database } from '../../storage/schema.js';
import { alwaysFalse, alwaysTrue, isNotTrue } from '../../storage/sql-fragments.js';
import { checkPattern, UnsafePatternError } from '../../shared/safe-regex.js';
import { parseTime } from '../../shared/time.js';

/**
 * Translates the `q` filter of `GET /admin/clients` (a MongoDB-style JSON object) into SQL through
 * a whitelist: only the operators spec 3.4 names, only known user fields or custom fields, values
 * always bound as parameters, regular expressions checked to run in linear time.
 */
export const MAX_FILTER_LENGTH = 4096;
const MAX_FIELDS = 20;
const MAX_IN_VALUES = 100;

type Kind = 'string' | 'number' | 'date' | 'bool';
interface ColumnField {
  column:
    | 'id'
    | 'nickname'
    | 'avatar_url'
    | 'email'
    | 'description'
    | 'user_agent'
    | 'is_robot'
    | 'last_login_time'
    | 'created_at'
    | 'updated_at'
    | 'notification_enabled';
  kind: Kind;
  nullable: boolean;
}

const FIELDS: Record<string, ColumnField> = {
  _id: { column: 'id', kind: 'string', nullable: false },
  id: { column: 'id', kind: 'string', nullable: false },
  nickname: { column: 'nickname', kind: 'string', nullable: false },
  avatarUrl: { column: 'avatar_url', kind: 'string', nullable: false },
  email: { column: 'email', kind: 'string', nullable: true },
  description: { column: 'description', kind: 'string', nullable: true },
  userAgent: { column: 'user_agent', kind: 'string', nullable: true },
  isRobot: { column: 'is_robot', kind: 'bool', nullable: false },
  notificationEnabled: { column: 'notification_enabled', kind: 'bool', nullable: false },
  lastLoginTimeMS: { column: 'last_login_time', kind: 'number', nullable: false },
  lastLoginTime: { column: 'last_login_time', kind: 'date', nullable: false },
  createdAt: { column: 'created_at', kind: 'date', nullable: false },
  createdAtMS: { column: 'created_at', kind: 'number', nullable: false },
  updatedAt: { column: 'updated_at', kind: 'date', nullable: false },
  updatedAtMS: { column: 'updated_at', kind: 'number', nullable: false },
};

/** The comparison operators, as SQL. */
const COMPARISONS: Record<string, '=' | '>' | '>=' | '<' | '<='> = {
  $eq: '=',
  $gt: '>',
  $gte: '>=',
  $lt: '<',
  $lte: '<=',
};

const CUSTOM_FIELD = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$regex',
  '$options',
  '$in',
  '$nin',
  '$exists',
  '$type',
]);

const TYPE_ALIASES: Record<string, JsonTypeName | 'date'> = {
  string: 'string',
  '2': 'string',
  double: 'number',
  '1': 'number',
  int: 'number',
  '16': 'number',
  long: 'number',
  '18': 'number',
  decimal: 'number',
  '19': 'number',
  number: 'number',
  bool: 'bool',
  '8': 'bool',
  object: 'object',
  '3': 'object',
  array: 'array',
  '4': 'array',
  null: 'null',
  '10': 'null',
  date: 'date',
  '9': 'date',
};

type Eb = ExpressionBuilder<Database, 'users'>;
/** A validated filter, turned into SQL by the repository in its database's dialect. */
export type UserFilter = (eb: Eb, dialect: DialectHelpers) => Expression<SqlBool>;
type Condition = UserFilter;
type Scalar = string | number | boolean | null;

const invalid = (message: string): never => {
  throw new AppError('INVALID_QUERY', message);
};

const TRUE = alwaysTrue();
const FALSE = alwaysFalse();

/** Own entries only: a name such as "constructor" must not find Object.prototype members. */
const own = <T>(table: Record<string, T>, name: string): T | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;

export function parseUserFilter(q: string | undefined): UserFilter | undefined {
  if (q === undefined || q.trim() === '') return undefined;
  if (q.length > MAX_FILTER_LENGTH) invalid(`q is longer than ${MAX_FILTER_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(q);
  } catch {
    invalid('q must be a JSON object');
  }
  if (!isPlainObject(parsed)) return invalid('q must be a JSON object');
  assertSafeInput(parsed, 'q');
  const entries = Object.entries(parsed);
  if (entries.length > MAX_FIELDS) invalid(`q may name at most ${MAX_FIELDS} fields`);
  const conditions = entries.map(([field, condition]) => fieldCondition(field, condition));
  return (eb, dialect) =>
    conditions.length === 0 ? TRUE : eb.and(conditions.map((condition) => condition(eb, dialect)));
}

function fieldCondition(field: string, condition: unknown): Condition {
  if (field.startsWith('$')) invalid(`Operator ${field} is not supported here`);
  const known = own(FIELDS, field);
  if (!known && !CUSTOM_FIELD.test(field)) invalid(`Field "${field}" cannot be queried`);
  const target: Target = known ? columnTarget(known) : customTarget(field);

  if (!isOperatorObject(condition)) return target.compare('=', literal(condition));

  const ops = Object.entries(condition);
  for (const [op] of ops) if (!OPERATORS.has(op)) invalid(`Operator ${op} is not supported`);
  const options = condition.$options;
  if (options !== undefined && (typeof options !== 'string' || condition.$regex === undefined)) {
    invalid('$options must be a string next to $regex');
  }
  const parts: Condition[] = [];
  for (const [op, value] of ops) {
    const comparison = own(COMPARISONS, op);
    if (comparison !== undefined) {
      parts.push(target.compare(comparison, literal(value)));
      continue;
    }
    switch (op) {
      case '$ne':
        parts.push(target.notEqual(literal(value)));
        break;
      case '$in':
        parts.push(target.within(list(op, value)));
        break;
      case '$nin': {
        const values = list(op, value);
        parts.push((eb, dialect) => isNotTrue(target.within(values)(eb, dialect)));
        break;
      }
      case '$exists':
        if (typeof value !== 'boolean' && value !== 0 && value !== 1) invalid('$exists takes true or false');
        parts.push(target.exists(Boolean(value)));
        break;
      case '$type':
        parts.push(target.hasType(typeName(value)));
        break;
      case '$regex':
        parts.push(target.regex(regex(value, (options as string | undefined) ?? '')));
        break;
      case '$options':
        break;
    }
  }
  return (eb, dialect) => eb.and(parts.map((part) => part(eb, dialect)));
}

interface Target {
  compare(op: '=' | '>' | '>=' | '<' | '<=', value: Scalar): Condition;
  notEqual(value: Scalar): Condition;
  within(values: Scalar[]): Condition;
  exists(present: boolean): Condition;
  hasType(type: JsonTypeName | 'date'): Condition;
  regex(pattern: { pattern: string; caseInsensitive: boolean }): Condition;
}

function columnTarget(field: ColumnField): Target {
  const ref = (eb: Eb) => eb.ref(field.column);
  /** The column's own representation of a filter value; undefined when the types never match. */
  const coerce = (value: Scalar): string | number | null | undefined => {
    if (value === null) return null;
    switch (field.kind) {
      case 'string':
        return typeof value === 'string' ? value : undefined;
      case 'number':
        return typeof value === 'number' ? value : undefined;
      case 'bool':
        return typeof value === 'boolean' ? (value ? 1 : 0) : undefined;
      case 'date': {
        const ms = parseTime(value);
        if (ms === undefined && typeof value === 'string')
          invalid(`"${value.slice(0, 40)}" is not an ISO-8601 time or a ms epoch`);
        return ms;
      }
    }
  };
  const compare = (op: '=' | '>' | '>=' | '<' | '<=', value: Scalar): Condition => {
    const coerced = coerce(value);
    if (coerced === undefined) return () => FALSE;
    if (coerced === null) {
      return op === '=' && field.nullable ? (eb) => eb(ref(eb), 'is', null) : () => FALSE;
    }
    return (eb) => eb(ref(eb), op, coerced);
  };
  return {
    compare,
    notEqual: (value) => (eb, dialect) => isNotTrue(compare('=', value)(eb, dialect)),
    within: (values) => (eb, dialect) =>
      values.length === 0 ? FALSE : eb.or(values.map((value) => compare('=', value)(eb, dialect))),
    exists: (present) => (eb) =>
      field.nullable ? eb(ref(eb), present ? 'is not' : 'is', null) : present ? TRUE : FALSE,
    hasType: (type) => (eb) => {
      const own: JsonTypeName | 'date' = field.kind;
      if (type === own) return field.nullable ? eb(ref(eb), 'is not', null) : TRUE;
      if (type === 'null' && field.nullable) return eb(ref(eb), 'is', null);
      return FALSE;
    },
    regex:
      ({ pattern, caseInsensitive }) =>
      (eb, dialect) =>
        field.kind === 'string'
          ? eb.and([eb(ref(eb), 'is not', null), dialect.regexMatch(ref(eb), pattern, caseInsensitive)])
          : FALSE,
  };
}

function customTarget(field: string): Target {
  const type = (dialect: DialectHelpers) => dialect.jsonType('custom', field);
  const text = (dialect: DialectHelpers) => dialect.jsonText('custom', field);
  const compare =
    (op: '=' | '>' | '>=' | '<' | '<=', value: Scalar): Condition =>
    (eb, dialect) => {
      // Mongo's `{field: null}` matches an explicit null and an absent field alike.
      if (value === null)
        return op === '=' ? eb.or([eb(type(dialect), 'is', null), eb(type(dialect), '=', 'null')]) : FALSE;
      if (typeof value === 'string') return eb(text(dialect), op, value);
      if (typeof value === 'number') return eb(dialect.jsonNumber('custom', field), op, value);
      return op === '=' ? eb(dialect.jsonBool('custom', field), '=', value ? 1 : 0) : FALSE;
    };
  return {
    compare,
    // Mongo's $ne also matches documents without the field or with a value of another type.
    notEqual: (value) => (eb, dialect) => isNotTrue(compare('=', value)(eb, dialect)),
    within: (values) => (eb, dialect) =>
      values.length === 0 ? FALSE : eb.or(values.map((value) => compare('=', value)(eb, dialect))),
    exists: (present) => (eb, dialect) => eb(type(dialect), present ? 'is not' : 'is', null),
    hasType: (wanted) => (eb, dialect) => (wanted === 'date' ? FALSE : eb(type(dialect), '=', wanted)),
    regex:
      ({ pattern, caseInsensitive }) =>
      (eb, dialect) =>
        eb.and([eb(text(dialect), 'is not', null), dialect.regexMatch(text(dialect), pattern, caseInsensitive)]),
  };
}

function literal(value: unknown): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value.$date === 'string') return value.$date;
  return invalid('Filter values must be strings, numbers, booleans or null');
}

function list(op: string, value: unknown): Scalar[] {
  if (!Array.isArray(value)) return invalid(`${op} takes an array`);
  if (value.length > MAX_IN_VALUES) invalid(`${op} takes at most ${MAX_IN_VALUES} values`);
  return value.map(literal);
}

function typeName(value: unknown): JsonTypeName | 'date' {
  const name = own(TYPE_ALIASES, String(value));
  if ((typeof value !== 'string' && typeof value !== 'number') || !name)
    return invalid(`Unsupported $type ${JSON.stringify(value)}`);
  return name;
}

function regex(value: unknown, options: string): { pattern: string; caseInsensitive: boolean } {
  if (typeof value !== 'string') return invalid('$regex takes a string');
  try {
    return { pattern: value, ...checkPattern(value, options) };
  } catch (error) {
    if (error instanceof UnsafePatternError) return invalid(error.message);
    throw error;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$date') return false;
  if (keys.length > 0 && keys.every((key) => key.startsWith('$'))) return true;
  return invalid('Filter conditions are a value or an object of $-operators');
}
