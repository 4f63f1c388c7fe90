import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';
import { UserSchema, UserSummarySchema } from '../users/index.js';

const Id = Type.String({ minLength: 1, maxLength: 255 });
/** The room of a listed ban or block (spec 7.3, 7.4.3); a block whose room is gone keeps its id. */
const RoomSummary = Type.Object(
  {
    _id: Type.String(),
    id: Type.String(),
    roomType: Type.String(),
    createdTimeMS: Type.Optional(Type.Number()),
  },
  { title: 'ModerationRoom' },
);

/** A ban or block record (spec 7): `blocker` and `room` are ids in answers to a change, summaries in lists. */
const ModerationRecord = Type.Object(
  {
    appID: Type.String(),
    blockee: UserSummarySchema,
    blocker: Type.Union([Type.String(), UserSummarySchema]),
    room: Type.Union([Type.String(), RoomSummary]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'ModerationRecord' },
);

export const ModerationRecordResponse = Envelope(ModerationRecord);
export const ModerationRecordsResponse = Envelope(Type.Object({ data: Type.Array(ModerationRecord) }));
export const RoomBlockeeParams = Type.Object({ roomID: Id, blockee: Id });
export const BlockeeParams = Type.Object({ blockee: Id });
export const RoomIdParams = Type.Object({ roomID: Id });
export const EmptyBody = Type.Union([Type.Object({}), Type.Null()]);
export const AdminMuteParams = Type.Object({ uid: Id, room: Id });
/** IMKIT's console sends paging on these calls; it means nothing here. */
export const IgnoredPaging = Type.Object({ limit: Type.Optional(Type.String()), skip: Type.Optional(Type.String()) });
export const UserResponse = Envelope(UserSchema);
