import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';
import * as initial from './001-initial.js';
import * as chat from './002-chat.js';
import * as sdk from './003-sdk.js';
import * as moderation from './004-moderation.js';
import * as webhooks from './005-webhooks.js';
import * as push from './006-push.js';
import * as deletions from './007-deletions.js';
import * as historyVisibility from './008-history-visibility.js';
import * as fileShares from './009-file-shares.js';
import * as unreadPositions from './010-unread-positions.js';
import * as memberStamps from './011-member-stamps.js';
import * as roomSearchIndex from './012-room-search-index.js';
import * as operators from './013-operators.js';
import * as roomLastWritten from './014-room-last-written.js';
import * as stickers from './015-stickers.js';
import * as messageReactionsDeletions from './016-message-reactions-deletions.js';
import * as roomDepartures from './017-room-departures.js';
import * as fileTags from './018-file-tags.js';
import * as pushDelivery from './019-push-delivery.js';

type Step = { up(db: Kysely<any>, dialect: DialectName): Promise<void> };

/** The one ordered list of migrations, shared by SQLite and PostgreSQL. Append only. */
const STEPS: Record<string, Step> = {
  '001-initial': initial,
  '002-chat': chat,
  '003-sdk': sdk,
  '004-moderation': moderation,
  '005-webhooks': webhooks,
  '006-push': push,
  '007-deletions': deletions,
  '008-history-visibility': historyVisibility,
  '009-file-shares': fileShares,
  '010-unread-positions': unreadPositions,
  '011-member-stamps': memberStamps,
  '012-room-search-index': roomSearchIndex,
  '013-operators': operators,
  '014-room-last-written': roomLastWritten,
  '015-stickers': stickers,
  '016-message-reactions-deletions': messageReactionsDeletions,
  '017-room-departures': roomDepartures,
  '018-file-tags': fileTags,
  '019-push-delivery': pushDelivery,
};

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, step] of Object.entries(STEPS)) {
        migrations[name] = { up: (db) => step.up(db, dialect) };
      }
      return migrations;
    },
  };
}
