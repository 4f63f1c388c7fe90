import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

export const PrefKeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 128 }) });

const Pref = Type.Object({ key: Type.String(), data: Type.Unknown() }, { title: 'Preference' });
export const PrefResponse = Envelope(Pref);
export const PrefListResponse = Envelope(Type.Union([Type.Array(Pref), Pref]));
/** `?key=` ([hist] 3.4): that one preference instead of the list. */
export const PrefListQuery = Type.Object({ key: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) });
/** `GET /me/prefs` ([hist] 3.4): the same preferences as one object keyed by preference key. */
export const PrefMapResponse = Envelope(Type.Record(Type.String(), Type.Unknown(), { title: 'PreferenceMap' }));
export const PrefKeyResponse = Envelope(Type.Object({ key: Type.String() }));

const RoomId = Type.String({ minLength: 1 });
const GroupId = Type.String({ minLength: 1 });
/** A preference field name ([hist] 4.3, e.g. `translation`); one not set is no error. */
const RoomPrefKey = Type.String({ minLength: 1, maxLength: 64 });

export const RoomPrefParams = Type.Object({ room: RoomId });
export const RoomPrefKeyParams = Type.Object({ room: RoomId, key: RoomPrefKey });
export const GroupParams = Type.Object({ group: GroupId });
export const GroupRoomPrefParams = Type.Object({ room: RoomId, group: GroupId });
export const GroupRoomPrefKeyParams = Type.Object({ room: RoomId, group: GroupId, key: RoomPrefKey });

/** Room preference fields (spec 1.9 `pref`). */
export const RoomPrefBody = Type.Object({
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  tagColors: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 32 }))),
  hidden: Type.Optional(Type.Boolean()),
  sticky: Type.Optional(Type.Boolean()),
  muted: Type.Optional(Type.Boolean()),
  folder: Type.Optional(Type.String({ maxLength: 256 })),
  translation: Type.Optional(Type.Boolean()),
});

/** `{room, ...pref}`: free-form, as the spec's `pref` is (clients may keep fields of their own there). */
const RoomPref = Type.Object({ room: Type.String() }, { additionalProperties: true, title: 'RoomPreference' });
export const RoomPrefResponse = Envelope(RoomPref);
export const RoomPrefListResponse = Envelope(Type.Object({ totalCount: Type.Integer(), data: Type.Array(RoomPref) }));
