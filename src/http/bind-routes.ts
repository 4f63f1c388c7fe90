import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyPluginOptions, RawServerDefault } from 'fastify';

/** A route plugin with its options bound: what a module's factory returns as `routes`. */
export function bindRoutes<O extends FastifyPluginOptions>(
  plugin: FastifyPluginAsync<O, RawServerDefault, TypeBoxTypeProvider>,
  options: O,
): FastifyPluginAsync {
  return async (app) => {
    await app.register(plugin, options);
  };
}

/** Several bound route plugins as one, registered in order. */
export function routeGroup(...plugins: readonly FastifyPluginAsync[]): FastifyPluginAsync {
  return async (app) => {
    for (const plugin of plugins) await app.register(plugin);
  };
}
