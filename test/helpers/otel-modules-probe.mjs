// Loaded into a server process with `node --import`: at exit, prints how many modules of the
// OpenTelemetry SDK and its instrumentations the process loaded (the API alone is prom-client's).
import { createRequire } from 'node:module';

const cache = createRequire(import.meta.url).cache;
const SDK_PART = /[\\/]node_modules[\\/](@opentelemetry[\\/](?!api[\\/])|@fastify[\\/]otel[\\/])/;

process.on('exit', () => {
  const loaded = Object.keys(cache).filter((file) => SDK_PART.test(file)).length;
  process.stderr.write(`otel-sdk-modules-loaded ${loaded}\n`);
});
