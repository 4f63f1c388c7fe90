import type { FastifyReply } from 'fastify';

/** Sends a body already serialized with the route's response schema (e.g. from a cache). */
export function sendSerialized(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}
