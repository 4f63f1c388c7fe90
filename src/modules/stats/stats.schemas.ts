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
