import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';

/** The `result` of a 200 envelope; typed loosely, the assertions check its shape. */
export function expectOk(response: LightMyRequestResponse): any {
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json();
  expect(body.RC).toBe(0);
  expect(body.RM).toBe('OK');
  return body.result;
}

export function expectBody(response: LightMyRequestResponse, status: number, body: unknown): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json()).toStrictEqual(body);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
