import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };

/**
 * A closed body reports at most this many errors: enough to fix a request in one go, while a body
 * of thousands of unknown fields cannot make the answer (or the work behind it) grow with it.
 */
export const MAX_REPORTED_ERRORS = 20;
/**
 * Collecting every error costs work per value (ajv's allErrors caveat): a body larger than this
 * (no admin body needs it) reports its first error only.
 */
const MAX_VALUES_FOR_ALL_ERRORS = 2_000;

/** True when `data` holds at most `limit` values, counted without recursion and stopping early. */
function hasAtMostValues(data: unknown, limit: number): boolean {
  const pending: unknown[] = [data];
  let seen = 0;
  while (pending.length > 0) {
    const value = pending.pop();
    if (++seen > limit) return false;
    if (typeof value === 'object' && value !== null) {
      const children = Array.isArray(value) ? value : Object.values(value);
      if (seen + pending.length + children.length > limit) return false;
      pending.push(...children);
    }
  }
  return true;
}

type Schema = Record<string, unknown>;

const isClosedObject = (schema: unknown): boolean =>
  typeof schema === 'object' && schema !== null && (schema as Schema).additionalProperties === false;

/** `OptionalBody(X)`: X, or null (Fastify validates a missing body as null). */
function optionalPart(schema: Schema): Schema | undefined {
  const branches = schema.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return undefined;
  const nullBranch = branches.findIndex((branch: Schema) => branch.type === 'null' && Object.keys(branch).length === 1);
  return nullBranch === -1 ? undefined : (branches[1 - nullBranch] as Schema);
}

/**
 * Parley's own bodies are closed (`additionalProperties: false`): a misspelled field is a 400 that
 * names it, and every error is reported at once. The fail-fast validator runs first, so a valid
 * body costs no more than before; only a refused one is checked again for all its errors.
 */
function compileClosedBody(firstError: Ajv, allErrors: Ajv, schema: Schema, nullable: boolean): ValidateFunction {
  const quick = firstError.compile(schema);
  const thorough = allErrors.compile(schema);
  const validate = ((data: unknown) => {
    if ((nullable && data === null) || quick(data)) {
      validate.errors = null;
      return true;
    }
    const errors = hasAtMostValues(data, MAX_VALUES_FOR_ALL_ERRORS) && !thorough(data) ? thorough.errors : quick.errors;
    validate.errors = (errors ?? []).slice(0, MAX_REPORTED_ERRORS) as ErrorObject[];
    return false;
  }) as ValidateFunction;
  validate.errors = null;
  return validate;
}

/**
 * Query strings and params arrive as text and are coerced to the declared types; JSON bodies are
 * not, so that `"issueAccessToken": "yes"` is a 400 rather than silently `true`.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  const strictTypes = new Ajv({ ...common, coerceTypes: false });
  const strictAllErrors = new Ajv({ ...common, coerceTypes: false, allErrors: true });
  for (const ajv of [coercing, strictTypes, strictAllErrors]) {
    (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  }
  return ({ schema, httpPart }) => {
    if (httpPart === 'body') {
      const object = optionalPart(schema as Schema);
      if (isClosedObject(object ?? schema)) {
        return compileClosedBody(
          strictTypes,
          strictAllErrors,
          object ?? (schema as Schema),
          object !== undefined,
        ) as ReturnType<FastifySchemaCompiler<unknown>>;
      }
    }
    const ajv = httpPart === 'body' ? strictTypes : coercing;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
