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

export const RoomPrefParams = Type.Object({ room: Type.String({ minLength: 1 }) });

/** Room preference fields (spec 1.9 `pref`). */
export const RoomPrefBody = Type.Object({
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  tagColors: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 32 }))),
  hidden: Type.Optional(Type.Boolean()),
  sticky: Type.Optional(Type.Boolean()),
  muted: Type.Optional(Type.Boolean()),
  folder: Type.Optional(Type.String({ maxLength: 256 })),
});

/** `{room, ...pref}`: free-form, as the spec's `pref` is (clients may keep fields of their own there). */
export const RoomPrefResponse = Envelope(Type.Object({ room: Type.String() }, { additionalProperties: true }));
