import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';

/** Users (spec 3.1-3.5): error matchers several users-* suites share. */

export function expectError(
  response: LightMyRequestResponse,
  status: number,
  code: string,
  message?: string | RegExp,
): void {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json();
  expect(Object.keys(body).sort()).toStrictEqual(['RC', 'RM', 'error']);
  expect(body.RC).toBe(status);
  expect(typeof body.RM).toBe('string');
  expect(Object.keys(body.error).sort()).toStrictEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  if (message instanceof RegExp) expect(body.error.message).toMatch(message);
}
