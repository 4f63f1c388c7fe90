import { Type } from '@sinclair/typebox';
import { Envelope } from '../../http/schemas.js';

// Free-form on purpose: the runtime configuration is whatever JSON object the application stored (spec 8).
const ConfigObject = Type.Object(
  {},
  {
    title: 'RuntimeConfig',
    additionalProperties: true,
    description: 'Every key of the configuration, e.g. announcement, censorship',
  },
);

export const ConfigResponse = Envelope(ConfigObject);
export const UpdateConfigBody = Type.Unknown({
  description: 'A JSON object; `censorship` must be {"keywords": [strings]}',
});
export const ConfigKeyParams = Type.Object({ key: Type.String({ minLength: 1 }) });
export const EmptyResponse = Envelope(Type.Object({}));
