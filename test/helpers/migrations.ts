import type { Kysely } from 'kysely';

/** The row of an application, as a database of any release holds it (migration tests seed one). */
export async function insertApp(db: Kysely<any>, appId: string, at: number): Promise<void> {
  await db
    .insertInto('apps')
    .values({
      id: appId,
      name: appId,
      client_key: 'migrating-client-key',
      client_key_created_at: at,
      token_secret: 'secret',
      settings: '{}',
      is_default: 0,
      created_at: at,
    })
    .execute();
}
