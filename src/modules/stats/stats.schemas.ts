import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

export const ConnectionCountResponse = Envelope(Type.Object({ count: Type.Integer() }));

export const StatsQuery = Type.Object({ start: Type.Optional(Type.String()), end: Type.Optional(Type.String()) });

export const StatsResponse = Envelope(
  Type.Object({
    clientId: Type.String(),
    clientKey: Type.String(),
    apiKey: Type.String(),
    startTime: Type.String(),
    endTime: Type.String(),
    start: Type.Integer(),
    end: Type.Integer(),
    userList: Type.Array(Type.String()),
    roomCount: Type.Integer(),
    totalRoomCount: Type.Integer(),
    messageCount: Type.Integer(),
    peakConnectionCount: Type.Integer(),
    newUserCount: Type.Integer(),
    totalUserCount: Type.Integer(),
    monthlyAcitiveUserCount: Type.Integer(),
    totalMem: Type.Number(),
    freeMem: Type.Number(),
  }),
);

export const MessageSeriesQuery = Type.Object({
  from: Type.Optional(
    Type.String({ maxLength: 64, description: 'ISO-8601 or ms epoch; default: an hour before `to`' }),
  ),
  to: Type.Optional(Type.String({ maxLength: 64, description: 'ISO-8601 or ms epoch; default: now' })),
});

export const MessageSeriesResponse = Envelope(
  Type.Object({
    from: Type.String(),
    to: Type.String(),
    totalCount: Type.Integer({ description: 'Messages sent in the window' }),
    data: Type.Array(
      Type.Object({
        minuteMS: Type.Number({ description: 'Start of the minute, ms epoch' }),
        messages: Type.Integer(),
      }),
      { description: 'Minutes with at least one message, oldest first' },
    ),
  }),
);
