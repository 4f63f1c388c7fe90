import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Below this many bytes compression costs more than it saves (history 1.2: skip tiny bodies). */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * Response compression as IMKIT's server did it (history 1.2): br, gzip or deflate as the client's
 * Accept-Encoding asks (q weights honoured), `Vary: Accept-Encoding`, tiny bodies left alone. Only
 * compressible types are touched, so stored images, audio and video go out as stored. Request bodies
 * are not inflated: the body limit must hold for what was sent, not for what it expands to.
 * Socket.IO answers on the raw HTTP server and never passes through here.
 */
async function compression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    globalDecompression: false,
    threshold: COMPRESSION_THRESHOLD_BYTES,
    encodings: ['br', 'gzip', 'deflate', 'identity'],
    // Brotli's default (quality 11) is for static assets; per request a middle quality is far cheaper.
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  });
}

export default fp(compression, { name: 'compression' });
