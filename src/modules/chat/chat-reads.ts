import type { UserDirectory } from '../users/index.js';
import type { MembersRepository } from './members.repository.js';
import type { ReadStatesRepository } from './read-states.repository.js';
import type { RoomAccess } from './room-access.js';
import type { RoomPresenter } from './room-presenter.js';
import type { RoomsRepository } from './rooms.repository.js';

/** What most chat services read: rooms, their members and read states, users, the access rules and the presenter. */
export interface ChatReads {
  rooms: RoomsRepository;
  members: MembersRepository;
  readStates: ReadStatesRepository;
  users: UserDirectory;
  access: RoomAccess;
  presenter: RoomPresenter;
}
