import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';
import { UserSchema } from '../users/index.js';

const Id = Type.String({ minLength: 1, maxLength: 255 });
/**
 * A ban or block record (spec 7.1-7.4): it nests user summaries and a room summary, whose optional
 * fields vary; TODO(issue 10) list them to drop `additionalProperties`.
 */
const ModerationRecord = Type.Object({}, { additionalProperties: true });

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
