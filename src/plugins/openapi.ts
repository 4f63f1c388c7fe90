import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorShapeA, ErrorShapeB } from '../http/schemas.js';
import { DOCS_PREFIX } from '../http/constants.js';

/** The OpenAPI 3.1 document at /openapi.json and an interactive reference at /docs. */
export default fp(
  async (app) => {
    app.addSchema(ErrorShapeA);
    app.addSchema(ErrorShapeB);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Parley — IMKIT Platform API',
          version: '0.1.0',
          description:
            'Self-hosted server for the IMKIT Platform API. Admin calls authenticate with `IM-API-KEY`; ' +
            'client calls with `IM-CLIENT-KEY` plus the user token in `IM-Authorization`.',
        },
        components: {
          securitySchemes: {
            apiKey: { type: 'apiKey', in: 'header', name: 'IM-API-KEY' },
            clientKey: { type: 'apiKey', in: 'header', name: 'IM-CLIENT-KEY' },
            userToken: { type: 'apiKey', in: 'header', name: 'IM-Authorization' },
          },
        },
      },
      // Each route's auth declaration becomes its security requirement.
      transform: ({ schema, url, route }) => {
        const auth = route.config?.auth;
        const security =
          auth === 'admin'
            ? [{ apiKey: [] }]
            : auth === 'user'
              ? [{ clientKey: [], userToken: [] }, { apiKey: [] }]
              : auth === 'clientKey'
                ? [{ clientKey: [] }, { apiKey: [] }]
                : [];
        return { schema: { ...schema, security } as unknown as typeof schema, url };
      },
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { docExpansion: 'list', deepLinking: true } });
    app.get('/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());
  },
  { name: 'parley-openapi' },
);
