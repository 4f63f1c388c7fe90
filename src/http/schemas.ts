import { Type, type ObjectOptions, type TProperties, type TSchema } from '@sinclair/typebox';

/** `{RC: 0, RM: "OK", result}` around a result schema. */
export const Envelope = <T extends TSchema>(result: T) =>
  Type.Object({ RC: Type.Literal(0), RM: Type.String({ examples: ['OK'] }), result });

/** `{totalCount, data}`: the list shape of spec 1.4. */
export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({ totalCount: Type.Integer(), data: Type.Array(item) });

/**
 * `inspect` of the list calls (spec 4.5, 5.4): the filter as IMKIT echoes it, MongoDB-style
 * (`$or`, `$gt`…), and the time taken. The echo is free-form by the spec; it carries no stored row.
 */
export const Inspect = Type.Object({
  query: Type.Object({}, { additionalProperties: true }),
  tookMS: Type.Number(),
});

export const ErrorShapeA = Type.Object(
  { error: Type.String(), message: Type.String(), retryAfter: Type.Optional(Type.Integer()) },
  { $id: 'KeyLayerError', description: 'Key-layer error (spec 1.5 shape A)' },
);

export const ErrorShapeB = Type.Object(
  {
    RC: Type.Integer(),
    RM: Type.String(),
    error: Type.Object({ code: Type.String(), message: Type.String() }),
  },
  { $id: 'EndpointError', description: 'Endpoint error (spec 1.5 shape B)' },
);

/** ISO-8601 string or millisecond epoch, as spec 1.7 accepts for time inputs. */
export const TimeInput = Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Number()]);

/** A body that may be left out entirely (no content), as well as sent as an object. */
export const OptionalBody = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Skip = Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 });

/** A body Parley defines itself (not IMKIT): an unknown field is refused, naming it (validation.ts). */
export const ClosedObject = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { ...options, additionalProperties: false });

/**
 * Ids in one request (members, managers, invitees): the spec's "10 000 members" (12 item 76).
 * Storage splits what it writes, so no statement exceeds a driver's parameter limit either way.
 */
export const MAX_IDS_PER_REQUEST = 10_000;
