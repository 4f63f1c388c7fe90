import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';

/**
 * Item 19 (found after the list, the same class as item 4): a room superuser — the owner, a
 * manager, or any member another superuser gave `role: "admin"` — could edit any member's message;
 * the new text kept the member as its sender, so everyone saw words the member never wrote.
 * Now only the sender (and the API key) edits a message; superusers still recall and delete others'
 * messages, which shows what happened instead of hiding who wrote it.
 */
describe("item 19: superusers cannot put words in a member's mouth", () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let room: string;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['owen', 'mona', 'adam', 'alice']) tokens[id] = await t.createUser(id);
    room = (
      await createRoom(t, {
        name: 'team',
        owner: 'owen',
        managers: ['mona'],
        members: ['owen', 'mona', 'adam', 'alice'],
      })
    )._id;
    expectOk(await t.asUser(tokens.owen!, 'PUT', `/rooms/${room}/member/adam`, { property: 'role', value: 'admin' }));
  });
  afterAll(() => t?.close());

  const stored = async (id: string) =>
    (expectOk(await t.admin('GET', `/rooms/${room}/messages/v3?limit=100`)).data as any[]).find(
      (message) => message._id === id,
    );

  it('the owner, a manager and an admin member are refused with 403; the message is unchanged', async () => {
    const original = expectOk(
      await t.asUser(tokens.alice!, 'POST', `/rooms/${room}/message`, {
        messageType: 'text',
        message: 'I like the plan',
      }),
    );
    for (const superuser of ['owen', 'mona', 'adam']) {
      const response = await t.asUser(tokens[superuser]!, 'POST', `/rooms/${room}/message`, {
        _id: original._id,
        messageType: 'text',
        message: 'I hate everyone here',
      });
      expect(response.statusCode, `${superuser}: ${response.body}`).toBe(403);
      expect(response.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
    }
    expect(await stored(original._id)).toMatchObject({ message: 'I like the plan', sender: { _id: 'alice' } });
  });

  it('the sender and the API key still edit; superusers still recall and delete', async () => {
    const own = expectOk(
      await t.asUser(tokens.alice!, 'POST', `/rooms/${room}/message`, { messageType: 'text', message: 'typo' }),
    );
    expect(
      expectOk(
        await t.asUser(tokens.alice!, 'POST', `/rooms/${room}/message`, {
          _id: own._id,
          messageType: 'text',
          message: 'fixed',
        }),
      ).message,
    ).toBe('fixed');
    expect(
      expectOk(
        await t.admin('POST', `/rooms/${room}/message`, {
          _id: own._id,
          messageType: 'text',
          message: 'by the platform',
        }),
      ).message,
    ).toBe('by the platform');
    expect(
      expectOk(await t.asUser(tokens.mona!, 'POST', `/rooms/${room}/message`, { _id: own._id, messageType: 'recall' }))
        .messageType,
    ).toBe('recall');
    const other = expectOk(
      await t.asUser(tokens.alice!, 'POST', `/rooms/${room}/message`, { messageType: 'text', message: 'to delete' }),
    );
    const deleted = await t.asUser(tokens.adam!, 'DELETE', `/rooms/${room}/messages/${other._id}`);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json().result.deletedCount).toBe(1);
  });
});
