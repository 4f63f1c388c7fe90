import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const common: Options = { useDefaults: true, removeAdditional: true, allErrors: false, strict: false };

/**
 * Query strings and params arrive as text and are coerced to the declared types; JSON bodies are
 * not, so that `"issueAccessToken": "yes"` is a 400 rather than silently `true`.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  const strictTypes = new Ajv({ ...common, coerceTypes: false });
  for (const ajv of [coercing, strictTypes]) {
    (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  }
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strictTypes : coercing;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
