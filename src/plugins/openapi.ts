import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorShapeA, ErrorShapeB } from '../http/schemas.js';
import { DOCS_PREFIX } from '../http/constants.js';
import type { AuthMode } from '../http/types.js';
import { errorCodesOf, errorResponses, errorSchemas } from './openapi/error-responses.js';
import { addExamples, nameTitledSchemas } from './openapi/examples.js';
import { operationDocOf, TAGS, type OperationDoc } from './openapi/operations.js';
import type { OpenApiDocument } from './openapi/document-types.js';

export interface OpenApiPluginOptions {
  /** Where clients reach the API (PUBLIC_URL); the document's server, else the relative `/`. */
  publicUrl: string | undefined;
}

const SECURITY: Record<AuthMode, Record<string, string[]>[]> = {
  admin: [{ apiKey: [] }],
  user: [{ clientKey: [], userToken: [] }, { apiKey: [] }],
  clientKey: [{ clientKey: [] }, { apiKey: [] }],
  bodyTokens: [{ clientKey: [] }, { apiKey: [] }],
  operator: [],
  public: [],
};

const WHO: Record<AuthMode, string> = {
  admin: 'the API key (`IM-API-KEY`), or a dashboard operator with `X-Parley-App`',
  user:
    'a user: the client key (`IM-CLIENT-KEY`) with the user token (`IM-Authorization`); or the API key, as the ' +
    'platform admin (with `IM-CLIENT-ID` naming the user to act as where the operation needs one)',
  clientKey: 'the client key alone (sandbox sign-in), or the API key',
  bodyTokens:
    "the client key (`IM-CLIENT-KEY`) with the users' tokens in the body, each verified (one that is not is left " +
    'out); or the API key, with tokens of its application',
  operator: 'a dashboard operator: the session cookie, with `X-CSRF-Token` on changes',
  public: 'anyone: no credentials',
};

/** An operation's description: the table's words, the route's own, then who may call it. */
function describe(doc: OperationDoc, routeDescription: unknown, auth: AuthMode, scope: string | undefined): string {
  const caller = `**Who may call:** ${WHO[auth]}${scope ? `; an API key needs the scope \`${scope}\`` : ''}.`;
  return [doc.description, typeof routeDescription === 'string' ? routeDescription : undefined, caller]
    .filter(Boolean)
    .join('\n\n');
}

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/** The OpenAPI 3.1 document at /openapi.json and an interactive reference at /docs. */
export default fp<OpenApiPluginOptions>(
  async (app, { publicUrl }) => {
    app.addSchema(ErrorShapeA);
    app.addSchema(ErrorShapeB);
    /** Each operation's error codes and table entry, by `method path`, gathered by `transform` for `transformObject`. */
    const gathered = new Map<string, { codes: ReturnType<typeof errorCodesOf>; doc: OperationDoc }>();
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Parley — IMKIT Platform API',
          version: '0.1.0',
          description:
            'Self-hosted server for the IMKIT Platform API. Admin calls authenticate with `IM-API-KEY`; ' +
            'client calls with `IM-CLIENT-KEY` plus the user token in `IM-Authorization`.\n\n' +
            'Answers are enveloped as `{RC: 0, RM: "OK", result}`. Errors take one of two shapes (spec 1.5): the ' +
            'key layer (API key, client key, scopes, rate limits) answers `{error, message}` (`KeyLayerError`), ' +
            'endpoints answer `{RC, RM, error: {code, message}}` (`EndpointError`).',
          license: { name: 'MIT', identifier: 'MIT' },
        },
        servers: [
          publicUrl ? { url: publicUrl, description: 'This server' } : { url: '/', description: 'This server' },
        ],
        tags: TAGS,
        components: {
          securitySchemes: {
            apiKey: { type: 'apiKey', in: 'header', name: 'IM-API-KEY' },
            clientKey: { type: 'apiKey', in: 'header', name: 'IM-CLIENT-KEY' },
            userToken: { type: 'apiKey', in: 'header', name: 'IM-Authorization' },
          },
        },
      },
      // Components are named by their `$id` rather than `def-N`.
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
      // Each route's auth declaration becomes its security requirement; the table names and describes it.
      transform: ({ schema, url, route }) => {
        const auth: AuthMode = route.config?.auth ?? 'public';
        const path = toOpenApiPath(url);
        const methods = [route.method].flat().filter((method) => method !== 'HEAD');
        const doc = operationDocOf(methods[0] ?? 'GET', path);
        const source = (schema ?? {}) as Record<string, unknown>;
        const codes = errorCodesOf({ auth, errors: doc.errors ?? [] });
        for (const method of methods) gathered.set(`${method.toLowerCase()} ${path}`, { codes, doc });
        return {
          schema: {
            ...source,
            operationId: doc.id,
            description: describe(doc, source.description, auth, route.config?.scope),
            security: SECURITY[auth],
          } as unknown as typeof schema,
          url,
        };
      },
      transformObject: (documentObject) => {
        if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
        const doc = structuredClone(documentObject.openapiObject) as unknown as OpenApiDocument;
        Object.assign(doc.components.schemas, errorSchemas());
        for (const [path, item] of Object.entries(doc.paths))
          for (const [method, operation] of Object.entries(item)) {
            const { codes = [], doc: entry = undefined } = gathered.get(`${method} ${path}`) ?? {};
            const request = operation.requestBody?.content?.['application/json'];
            if (request && entry?.requestExample !== undefined) request.example = entry.requestExample;
            const errors = errorResponses(codes);
            // A route's own answer for a status (e.g. /readyz's 503) stays.
            operation.responses = { ...operation.responses };
            for (const [status, response] of Object.entries(errors)) operation.responses[status] ??= response;
          }
        nameTitledSchemas(doc);
        addExamples(doc);
        return doc as unknown as typeof documentObject.openapiObject;
      },
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { docExpansion: 'list', deepLinking: true } });
    app.get('/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());
  },
  { name: 'parley-openapi' },
);
