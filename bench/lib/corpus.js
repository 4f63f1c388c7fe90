// The messages the search and paging benchmarks load: ROOMS rooms, a reader who is a member of the
// first MY_ROOMS, and words whose frequency is known.
import { join } from 'node:path';
import { root } from './processes.js';

const { objectId } = await import(join(root, 'dist/shared/ids.js'));

export const ROOMS = 200;
export const MY_ROOMS = 20;
const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango'.split(
    ' ',
  );

/**
 * rare: 1 message in 100,000; common: 1 in 10, in every room; otherRooms: 1 in 20, but only in
 * rooms the reader is not in, so that the reader's search walks every match and finds none.
 */
export const KEYWORDS = { rare: 'zyxwvut', common: 'charlie', otherRooms: 'xylophone' };

export const roomOf = (index) => `room-${index % ROOMS}`;

export function messageText(index) {
  const inOtherRoom = index % ROOMS >= MY_ROOMS;
  return (
    `${WORDS[index % WORDS.length]} ${WORDS[(index * 7) % 19]} report ${index}` +
    (index % 100_000 === 7 ? ` ${KEYWORDS.rare}` : '') +
    (inOtherRoom && index % 18 === 1 ? ` ${KEYWORDS.otherRooms}` : '')
  );
}

/** The `messages` row of message `index`, sent by `writer`, 10 ms after the one before. */
export function messageRow(appId, index, startMs) {
  const text = messageText(index);
  const at = startMs + index * 10;
  return {
    app_id: appId,
    id: objectId(at),
    room_id: roomOf(index),
    sender_id: 'writer',
    message_type: 'text',
    content: JSON.stringify({ message: text }),
    search_text: text,
    pinned: 0,
    batch_id: null,
    created_at: at,
    updated_at: at,
  };
}

/** The reader, the writer and the rooms, created through `post(path, body)` (the admin API). */
export async function createCorpusRooms(post) {
  for (const id of ['reader', 'writer']) await post('/admin/clients', { _id: id, nickname: id });
  for (let room = 0; room < ROOMS; room++)
    await post('/rooms', { _id: `room-${room}`, members: room < MY_ROOMS ? ['reader', 'writer'] : ['writer'] });
}
