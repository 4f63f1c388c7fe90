import { Type } from '@sinclair/typebox';
import { ClosedObject } from '../../http/schemas.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';

const Name = Type.String({ minLength: 1, maxLength: 64, description: 'Operator name' });
/** Sign-in takes any password up to the maximum: the rules of a new one are not told to guessers. */
const AnyPassword = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });
const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });

export const SetupBody = ClosedObject({
  token: Type.String({ minLength: 1, maxLength: 128, description: 'The token of the setup link' }),
  name: Name,
  password: NewPassword,
});

export const LoginBody = ClosedObject({ name: Name, password: AnyPassword });

export const PasswordBody = ClosedObject({ currentPassword: AnyPassword, newPassword: NewPassword });

export const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const OperatorSchema = Type.Object({ id: Type.String(), name: Type.String() }, { title: 'Operator' });

export const SignedInResponse = Type.Object({ operator: OperatorSchema, csrfToken: Type.String() });

export const SessionResponse = Type.Object({
  operator: OperatorSchema,
  csrfToken: Type.String(),
  expiresAt: Type.String({ description: 'When the session ends unless used before (idle), ISO-8601' }),
});

export const SessionListResponse = Type.Object({
  sessions: Type.Array(
    Type.Object({
      id: Type.String(),
      createdAt: Type.String(),
      lastSeen: Type.String(),
      ip: Type.String(),
      userAgent: Type.String(),
      current: Type.Boolean(),
    }),
  ),
});

const AppIdSchema = Type.String({ minLength: 1, maxLength: 64 });

export const AppParams = Type.Object({ id: AppIdSchema });

export const CreateAppBody = ClosedObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Default: made from the name' })),
});

export const RenameAppBody = ClosedObject({ name: Type.String({ minLength: 1, maxLength: 100 }) });

const AppSummary = Type.Object(
  { id: Type.String(), name: Type.String(), createdAt: Type.String() },
  { title: 'AppSummary' },
);

export const AppListResponse = Type.Object({ apps: Type.Array(AppSummary) });

export const AppResponse = Type.Object({ app: AppSummary });

export const CreatedAppResponse = Type.Object({
  app: AppSummary,
  apiKey: Type.String({ description: 'Shown once: only its hash is kept' }),
  clientKey: Type.String(),
});
