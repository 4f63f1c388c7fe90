import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../../helpers/expect.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectError } from '../../helpers/users-suite.js';

/** Users (spec 3.1, 3.3, 3.4, 3.5, 12 items 17-24): upsert, batch, list and search, get, delete, `GET /me`. */

describe('GET /admin/clients?q= (Mongo-style filter, spec 3.4)', () => {
  let t: TestApp;
  const FIVE_THOUSAND_A = `${'a'.repeat(5000)}!`;
  const day = (iso: string) => Date.parse(iso);

  beforeAll(async () => {
    t = await buildTestApp();
    const users: Array<Record<string, unknown>> = [
      { _id: 'alice', nickname: 'Alice', email: 'alice@example.com', level: 5, score: 1.5, vip: true, city: 'Taipei' },
      { _id: 'bob', nickname: 'bob', email: 'bob@example.org', level: 10, score: 0.5, vip: false, city: 'Tainan' },
      { _id: 'carol', nickname: 'Carol', level: 'high', tags: ['x', 'y'], meta: { a: 1 }, city: 'Kaohsiung' },
      { _id: 'dave', nickname: 'Dave', email: 'dave@example.com', vip: null, isRobot: true, constructor: 'builder' },
      { _id: 'evil', nickname: 'placeholder', bio: FIVE_THOUSAND_A },
    ];
    for (const user of users) expect((await t.admin('POST', '/admin/clients', user)).statusCode).toBe(200);
    const db = t.services.storage.db;
    const times: Record<string, { created: number; login: number }> = {
      alice: { created: day('2020-01-01T00:00:00Z'), login: day('2022-01-01T00:00:00Z') },
      bob: { created: day('2021-01-01T00:00:00Z'), login: day('2023-01-01T00:00:00Z') },
      carol: { created: day('2022-01-01T00:00:00Z'), login: 0 },
      dave: { created: day('2023-01-01T00:00:00Z'), login: 0 },
      evil: { created: day('2024-01-01T00:00:00Z'), login: 0 },
    };
    for (const [id, time] of Object.entries(times)) {
      await db
        .updateTable('users')
        .set({ created_at: time.created, last_login_time: time.login })
        .where('app_id', '=', t.appId)
        .where('id', '=', id)
        .execute();
    }
    // Longer than the API accepts for a nickname: written straight to storage.
    await db
      .updateTable('users')
      .set({ nickname: FIVE_THOUSAND_A })
      .where('app_id', '=', t.appId)
      .where('id', '=', 'evil')
      .execute();
  });
  afterAll(() => t.close());

  const search = (q: unknown) =>
    t.admin('GET', `/admin/clients?q=${encodeURIComponent(typeof q === 'string' ? q : JSON.stringify(q))}`);

  async function matches(q: unknown): Promise<string[]> {
    const result = expectOk(await search(q));
    expect(result.totalCount, JSON.stringify(q)).toBe(result.data.length);
    return result.data.map((user: { _id: string }) => user._id);
  }

  async function expectInvalidQuery(q: unknown, message?: string | RegExp): Promise<void> {
    const response = await search(q);
    expectError(response, 400, 'INVALID_QUERY', message);
    expect(response.json().RM).toBe('Invalid query syntax');
  }

  const cases: Array<[string, unknown, string[]]> = [
    ['an empty filter', {}, ['alice', 'bob', 'carol', 'dave', 'evil']],
    ['a bare value (implicit $eq)', { nickname: 'bob' }, ['bob']],
    ['$eq', { nickname: { $eq: 'Alice' } }, ['alice']],
    ['$eq is case-sensitive', { nickname: { $eq: 'alice' } }, []],
    ['$ne', { nickname: { $ne: 'bob' } }, ['alice', 'carol', 'dave', 'evil']],
    [
      '$ne on email also matches users without one',
      { email: { $ne: 'alice@example.com' } },
      ['bob', 'carol', 'dave', 'evil'],
    ],
    ['email: null matches users without one', { email: null }, ['carol', 'evil']],
    ['email: {$ne: null}', { email: { $ne: null } }, ['alice', 'bob', 'dave']],
    ['$exists true on email', { email: { $exists: true } }, ['alice', 'bob', 'dave']],
    ['$exists false on email', { email: { $exists: false } }, ['carol', 'evil']],
    ['$regex on email', { email: { $regex: '@example\\.com$' } }, ['alice', 'dave']],
    ['$regex is case-sensitive without options', { nickname: { $regex: '^[a-c]' } }, ['bob', 'evil']],
    ['$regex with $options i', { nickname: { $regex: '^[a-c]', $options: 'i' } }, ['alice', 'bob', 'carol', 'evil']],
    ['$regex matches anywhere unless anchored', { nickname: { $regex: 'ar' } }, ['carol']],
    ['$in on _id', { _id: { $in: ['alice', 'dave', 'nobody'] } }, ['alice', 'dave']],
    ['an empty $in', { _id: { $in: [] } }, []],
    ['$nin on _id', { _id: { $nin: ['alice', 'dave'] } }, ['bob', 'carol', 'evil']],
    ['an empty $nin', { _id: { $nin: [] } }, ['alice', 'bob', 'carol', 'dave', 'evil']],
    ['$gt and $lte on _id', { _id: { $gt: 'bob', $lte: 'dave' } }, ['carol', 'dave']],
    ['$gte and $lt on _id', { _id: { $gte: 'bob', $lt: 'dave' } }, ['bob', 'carol']],
    ['lastLoginTimeMS $gt 0', { lastLoginTimeMS: { $gt: 0 } }, ['alice', 'bob']],
    ['lastLoginTimeMS $gte', { lastLoginTimeMS: { $gte: day('2023-01-01T00:00:00Z') } }, ['bob']],
    ['lastLoginTimeMS equal to 0 (never logged in)', { lastLoginTimeMS: 0 }, ['carol', 'dave', 'evil']],
    ['lastLoginTimeMS range', { lastLoginTimeMS: { $gt: 0, $lt: day('2023-01-01T00:00:00Z') } }, ['alice']],
    [
      'lastLoginTimeMS $lte',
      { lastLoginTimeMS: { $lte: day('2022-01-01T00:00:00Z') } },
      ['alice', 'carol', 'dave', 'evil'],
    ],
    ['lastLoginTimeMS compared with a string never matches', { lastLoginTimeMS: { $gt: '0' } }, []],
    [
      'createdAt range given as ISO strings',
      { createdAt: { $gte: '2021-01-01T00:00:00.000Z', $lt: '2023-01-01T00:00:00Z' } },
      ['bob', 'carol'],
    ],
    [
      'createdAt range given as milliseconds',
      { createdAt: { $gte: day('2021-01-01T00:00:00Z'), $lt: day('2023-01-01T00:00:00Z') } },
      ['bob', 'carol'],
    ],
    ['createdAt as an extended-JSON $date', { createdAt: { $lte: { $date: '2020-06-01T00:00:00Z' } } }, ['alice']],
    ['createdAt equal to an ISO string', { createdAt: '2022-01-01T00:00:00.000Z' }, ['carol']],
    ['createdAt $gt', { createdAt: { $gt: '2023-01-01T00:00:00Z' } }, ['evil']],
    ['createdAt $in', { createdAt: { $in: ['2020-01-01T00:00:00Z', day('2024-01-01T00:00:00Z')] } }, ['alice', 'evil']],
    ['a custom number', { level: 5 }, ['alice']],
    ['a custom number $gt', { level: { $gt: 5 } }, ['bob']],
    ['a custom number $gte', { level: { $gte: 5 } }, ['alice', 'bob']],
    ['a custom number $lt', { level: { $lt: 10 } }, ['alice']],
    ['a custom number $lte', { level: { $lte: 10 } }, ['alice', 'bob']],
    ['a custom number range in one condition', { level: { $gt: 1, $lt: 10 } }, ['alice']],
    ['a custom float', { score: { $gt: 1.2 } }, ['alice']],
    ['a custom string value of a mostly numeric field', { level: 'high' }, ['carol']],
    ['a custom $in mixing types', { level: { $in: [5, 'high'] } }, ['alice', 'carol']],
    [
      'a custom $nin also matches other types and absent fields',
      { level: { $nin: [5, 10] } },
      ['carol', 'dave', 'evil'],
    ],
    [
      'a custom $ne also matches other types and absent fields',
      { level: { $ne: 5 } },
      ['bob', 'carol', 'dave', 'evil'],
    ],
    ['a custom $exists false', { level: { $exists: false } }, ['dave', 'evil']],
    ['a custom $exists true', { level: { $exists: true } }, ['alice', 'bob', 'carol']],
    ['$type number on a custom field', { level: { $type: 'number' } }, ['alice', 'bob']],
    ['$type by BSON alias and number', { level: { $type: 'int' } }, ['alice', 'bob']],
    ['$type by BSON type number', { level: { $type: 2 } }, ['carol']],
    ['$type string on a custom field', { level: { $type: 'string' } }, ['carol']],
    ['a custom string $regex', { city: { $regex: '^tai', $options: 'i' } }, ['alice', 'bob']],
    ['a custom string $regex, case-sensitive', { city: { $regex: '^tai' } }, []],
    ['a custom string $regex at the end', { city: { $regex: 'nan$' } }, ['bob']],
    ['$regex never matches a number', { level: { $regex: '5' } }, []],
    ['a custom string $gt', { city: { $gt: 'Tainan' } }, ['alice']],
    ['a custom boolean true', { vip: true }, ['alice']],
    ['a custom boolean false', { vip: false }, ['bob']],
    ['a custom boolean $ne', { vip: { $ne: true } }, ['bob', 'carol', 'dave', 'evil']],
    ['a custom boolean $in', { vip: { $in: [true, false] } }, ['alice', 'bob']],
    ['$type bool', { vip: { $type: 'bool' } }, ['alice', 'bob']],
    ['$type null', { vip: { $type: 'null' } }, ['dave']],
    ['a custom null also matches absent fields', { vip: null }, ['carol', 'dave', 'evil']],
    ['a custom $ne null', { vip: { $ne: null } }, ['alice', 'bob']],
    ['$exists true counts an explicit null', { vip: { $exists: true } }, ['alice', 'bob', 'dave']],
    ['$type array', { tags: { $type: 'array' } }, ['carol']],
    ['$type object', { meta: { $type: 'object' } }, ['carol']],
    ['a custom field named like an Object.prototype member', { constructor: 'builder' }, ['dave']],
    ['$exists on a custom field named like an Object.prototype member', { hasOwnProperty: { $exists: true } }, []],
    ['isRobot', { isRobot: true }, ['dave']],
    [
      '$exists true on a field every user has',
      { nickname: { $exists: true } },
      ['alice', 'bob', 'carol', 'dave', 'evil'],
    ],
    ['$exists false on a field every user has', { nickname: { $exists: false } }, []],
    ['$type string on nickname', { nickname: { $type: 'string' } }, ['alice', 'bob', 'carol', 'dave', 'evil']],
    ['$type string on lastLoginTimeMS', { lastLoginTimeMS: { $type: 'string' } }, []],
    ['two fields ANDed', { nickname: { $regex: '^[A-Z]' }, email: { $exists: true } }, ['alice', 'dave']],
    ['a custom and a known field ANDed', { level: { $gte: 5 }, vip: false }, ['bob']],
    [
      'three fields ANDed',
      { email: { $regex: 'example\\.com$' }, lastLoginTimeMS: { $gt: 0 }, city: 'Taipei' },
      ['alice'],
    ],
    ['ANDed fields that exclude each other', { _id: 'alice', nickname: 'bob' }, []],
    ['the long nickname with a linear pattern', { nickname: { $regex: '^a+!$' } }, ['evil']],
  ];

  for (const [name, q, expected] of cases) {
    it(`filters by ${name}`, async () => {
      expect(await matches(q)).toStrictEqual(expected);
    });
  }

  it('answers catastrophic-backtracking patterns against a 5001-character value (linear-time engine)', async () => {
    for (const pattern of ['(a+)+$', '(a|aa)*b', '^(a+)+$', '(a*)*b', '(a|a)*c', '^(\\w+\\s?)*$']) {
      // Pinned to the long value, so that the pattern really runs against it.
      expect(await matches({ _id: 'evil', nickname: { $regex: pattern } }), pattern).toStrictEqual([]);
      expect(await matches({ bio: { $regex: pattern } }), pattern).toStrictEqual([]);
    }
    // The same engine still finds what is there.
    expect(await matches({ nickname: { $regex: '^(a+)+!$' } })).toStrictEqual(['evil']);
    expect(await matches({ bio: { $regex: '(a|aa)*!' } })).toStrictEqual(['evil']);
  }, 60_000);

  it('refuses backreferences, lookarounds and other unsupported regex syntax with 400 INVALID_QUERY', async () => {
    for (const pattern of [
      '(a)\\1',
      '(a+)\\1',
      'a(?=b)',
      'a(?!b)',
      '(?<=a)b',
      '(?<!a)b',
      '(?P<name>a)',
      '(?<name>a)',
      '(?i)alice',
      '\\bbob',
      '[unclosed',
      '(open',
      'a{2,1}',
      '*a',
    ]) {
      await expectInvalidQuery({ nickname: { $regex: pattern } });
    }
    await expectInvalidQuery({ nickname: { $regex: 'a'.repeat(257) } }, '$regex is longer than 256 characters');
    await expectInvalidQuery({ nickname: { $regex: 5 } }, '$regex takes a string');
    await expectInvalidQuery({ nickname: { $regex: 'a', $options: 'g' } }, '$options supports only "i"');
    await expectInvalidQuery({ nickname: { $regex: 'a', $options: 'im' } }, '$options supports only "i"');
    await expectInvalidQuery({ nickname: { $options: 'i' } }, '$options must be a string next to $regex');
    await expectInvalidQuery({ nickname: { $regex: 'a', $options: 1 } }, '$options must be a string next to $regex');
  });

  it('refuses operators outside the whitelist with 400 INVALID_QUERY', async () => {
    const refused: unknown[] = [
      { $where: 'this.nickname == "bob"' },
      { $where: 'sleep(1000)' },
      { $expr: { $gt: ['$level', 1] } },
      { nickname: { $function: { body: 'function() { return true }', args: [], lang: 'js' } } },
      { $function: { body: 'x', args: [], lang: 'js' } },
      { $or: [{ nickname: 'bob' }, { nickname: 'Alice' }] },
      { $and: [{ nickname: 'bob' }] },
      { $nor: [{ nickname: 'bob' }] },
      { $text: { $search: 'bob' } },
      { nickname: { $not: { $eq: 'bob' } } },
      { nickname: { $elemMatch: { $eq: 'bob' } } },
      { nickname: { $size: 1 } },
      { nickname: { $all: ['bob'] } },
      { nickname: { $mod: [2, 0] } },
      { level: { $gt: 1, $where: '1' } },
      { nickname: 'bob', $comment: 'x' },
    ];
    for (const q of refused) await expectInvalidQuery(q);
  });

  it('refuses $-keys and paths as field names, and objects that mix operators with plain keys', async () => {
    await expectInvalidQuery({ $nickname: 'bob' }, 'Operator $nickname is not supported here');
    await expectInvalidQuery({ 'meta.$a': 1 }, 'Field "meta.$a" cannot be queried');
    await expectInvalidQuery({ 'meta.a': 1 }, 'Field "meta.a" cannot be queried');
    await expectInvalidQuery({ '': 1 });
    await expectInvalidQuery({ nickname: { $eq: 'bob', plain: 1 } });
    await expectInvalidQuery({ meta: { a: { $where: '1' } } });
    await expectInvalidQuery({ meta: { a: 1 } });
  });

  it('refuses values that are not scalars and malformed operator arguments', async () => {
    await expectInvalidQuery(
      { nickname: { $eq: { a: 1 } } },
      'Filter values must be strings, numbers, booleans or null',
    );
    await expectInvalidQuery({ nickname: ['bob'] });
    await expectInvalidQuery({ nickname: { $in: 'bob' } }, '$in takes an array');
    await expectInvalidQuery({ nickname: { $nin: { a: 1 } } }, '$nin takes an array');
    await expectInvalidQuery(
      { _id: { $in: Array.from({ length: 101 }, (_, i) => `id${i}`) } },
      '$in takes at most 100 values',
    );
    await expectInvalidQuery({ nickname: { $exists: 'yes' } }, '$exists takes true or false');
    await expectInvalidQuery({ nickname: { $type: 'banana' } }, 'Unsupported $type "banana"');
    await expectInvalidQuery({ nickname: { $type: true } });
    await expectInvalidQuery({ createdAt: { $gte: 'yesterday' } }, '"yesterday" is not an ISO-8601 time or a ms epoch');
    for (const inherited of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      await expectInvalidQuery({ level: { $type: inherited } }, `Unsupported $type "${inherited}"`);
      await expectInvalidQuery({ nickname: { $type: inherited } }, `Unsupported $type "${inherited}"`);
    }
  });

  it('refuses q that is not a JSON object, too long, or names too many fields', async () => {
    for (const q of ['{nickname: "bob"}', '{"nickname":', 'not json', '[]', '"bob"', '5', 'null', 'true']) {
      await expectInvalidQuery(q, 'q must be a JSON object');
    }
    await expectInvalidQuery(JSON.stringify({ nickname: 'x'.repeat(5000) }), 'q is longer than 4096 characters');
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 1]));
    await expectInvalidQuery(many, 'q may name at most 20 fields');
    // An empty or blank q is no filter.
    expect(expectOk(await t.admin('GET', '/admin/clients?q=')).totalCount).toBe(5);
    expect(expectOk(await t.admin('GET', '/admin/clients?q=%20')).totalCount).toBe(5);
  });

  it('keeps values as data: SQL in a value is just text', async () => {
    expect(await matches({ nickname: "bob' OR '1'='1" })).toStrictEqual([]);
    await expectInvalidQuery({ "x' OR 1=1 --": 1 }, 'Field "x\' OR 1=1 --" cannot be queried');
    expect(await matches({ nickname: { $regex: "' OR 1=1 --" } })).toStrictEqual([]);
  });
});
