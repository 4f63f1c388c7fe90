import type { Kysely } from 'kysely';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // Sticker sets (history 10): the archive and each image are rows of `files` (bucket `stickers`),
  // so that every node serves them; `images` is a JSON array of {name, fileId, etag}.
  await db.schema
    .createTable('sticker_sets')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addColumn('zip_file_id', 'text', (c) => c.notNull())
    .addColumn('zip_name', 'text', (c) => c.notNull())
    .addColumn('zip_etag', 'text', (c) => c.notNull())
    .addColumn('images', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sticker_sets_pk', ['app_id', 'id'])
    .execute();
}
