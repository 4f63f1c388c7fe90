import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

export const BySenderBody = Type.Object({
  room: Type.String({ minLength: 1, description: 'The room' }),
  sender: Type.String({ minLength: 1, description: 'The user whose messages change' }),
});

export const BySenderResponse = Envelope(
  Type.Object({
    room: Type.String(),
    sender: Type.String(),
    n: Type.Integer({ description: 'How many messages changed' }),
    messages: Type.Array(Type.String(), { description: 'The ids of the messages that changed' }),
  }),
);
