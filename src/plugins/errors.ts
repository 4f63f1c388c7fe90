import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { AppError, errorBody, httpStatus, type ErrorCode } from '../http/errors.js';
import { MAX_REPORTED_ERRORS } from '../http/validation.js';
import { isConnectionLoss } from '../shared/connection-errors.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_REQUEST',
};

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** Every error of a refused request, one clause each; an unknown field is named. */
function validationMessage(issues: ValidationIssue[], context: string | undefined): string | undefined {
  if (issues.length === 0) return undefined;
  const clauses = issues.slice(0, MAX_REPORTED_ERRORS).map((issue) => {
    const where = `${context ?? 'request'}${issue.instancePath}`;
    const unknown = (issue.params as { additionalProperty?: unknown }).additionalProperty;
    if (issue.keyword === 'additionalProperties' && typeof unknown === 'string')
      return `${where} has an unknown field '${unknown.slice(0, 64)}'`;
    return `${where} ${issue.message ?? 'is invalid'}`;
  });
  return clauses.join(', ');
}

/** Maps every failure to the spec's error shapes (1.5); nothing unexpected leaks its details. */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      let appError: AppError;
      const { validation, validationContext } = error as FastifyError;
      const code = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
      if (error instanceof AppError) {
        appError = error;
      } else if (validation) {
        appError = new AppError('INVALID_REQUEST', validationMessage(validation, validationContext) ?? error.message);
      } else if (code !== undefined) {
        appError = new AppError(code, code === 'INVALID_REQUEST' ? 'Request body is not valid JSON' : undefined);
      } else if (error instanceof SyntaxError || (error as FastifyError).statusCode === 400) {
        appError = new AppError('INVALID_REQUEST', 'Request body is not valid JSON');
      } else if (isConnectionLoss(error)) {
        // The outage itself is logged once ("… lost"); each request it fails gets a warning without a stack.
        appError = new AppError('SERVICE_UNAVAILABLE', 'The database or Redis is unavailable; try again shortly');
      } else {
        request.log.error({ err: error, requestId: request.id, route: request.routeOptions.url }, 'unexpected error');
        appError = new AppError('INTERNAL_ERROR');
      }
      const status = httpStatus(appError);
      if (status >= 500 && appError.code !== 'INTERNAL_ERROR')
        request.log.warn({ code: appError.code, requestId: request.id }, appError.message);
      return reply.status(status).send(errorBody(appError));
    });

    app.setNotFoundHandler((request, reply) => {
      const error = new AppError('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`);
      return reply.status(404).send(errorBody(error));
    });
  },
  { name: 'parley-errors' },
);
