import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { AppError, errorBody, type ErrorCode } from '../http/errors.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_REQUEST',
};

/** Maps every failure to the spec's error shapes (1.5); nothing unexpected leaks its details. */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      let appError: AppError;
      if (error instanceof AppError) {
        appError = error;
      } else if ((error as FastifyError).validation) {
        const context = (error as FastifyError).validationContext;
        appError = new AppError('INVALID_REQUEST', context ? `${context}${error.message.slice(context.length)}` : error.message);
      } else if (error.code !== undefined && FASTIFY_CODES[error.code]) {
        const code = FASTIFY_CODES[error.code]!;
        appError = new AppError(code, code === 'INVALID_REQUEST' ? 'Request body is not valid JSON' : undefined);
      } else if (error instanceof SyntaxError || (error as FastifyError).statusCode === 400) {
        appError = new AppError('INVALID_REQUEST', 'Request body is not valid JSON');
      } else {
        request.log.error({ err: error, requestId: request.id, route: request.routeOptions.url }, 'unexpected error');
        appError = new AppError('INTERNAL_ERROR');
      }
      if (appError.status >= 500 && appError.code !== 'INTERNAL_ERROR') request.log.warn({ code: appError.code, requestId: request.id }, appError.message);
      return reply.status(appError.status).send(errorBody(appError));
    });

    app.setNotFoundHandler((request, reply) => {
      const error = new AppError('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`);
      return reply.status(404).send(errorBody(error));
    });
  },
  { name: 'parley-errors' },
);
