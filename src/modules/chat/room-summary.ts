import type { Room } from './rooms.repository.js';

/** A room as the search results and the list of rooms left show it (spec 5.9, [hist] 5.6). */
export const roomSummary = (room: Room) => ({
  _id: room.id,
  id: room.id,
  name: room.name,
  cover: room.cover,
  description: room.description,
  roomType: room.roomType,
  roomTags: room.roomTags,
});
