import { Type } from '@sinclair/typebox';

/** Any key (`like`, `wow`, a custom one), bounded so a reaction stays a label. */
const ReactionKey = Type.String({ minLength: 1, maxLength: 64, description: 'The reaction, e.g. `like`' });

export const ReactionBody = Type.Object({ reaction: ReactionKey });
export const ReactionQuery = Type.Object({ reaction: ReactionKey });
