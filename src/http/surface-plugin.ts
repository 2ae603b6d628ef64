// Registers one surface's routes in a Fastify context of its own (encapsulated), whose error handler
// answers in that surface's shape, and checks that surfaces.ts gives each of its paths to it: the
// table that shapes the errors raised before routing and the routes themselves cannot disagree.
import type { FastifyInstance } from 'fastify';
import { errorHandlerByPath, errorHandlerOf } from './reply-error.ts';
import { DASHBOARD, surfaceOf, type Surface } from './surfaces.ts';

export async function registerSurface(
  app: FastifyInstance,
  surface: Surface,
  routes: (scope: FastifyInstance) => unknown,
): Promise<void> {
  await app.register(async (scope) => {
    // The dashboard's wildcard route also takes other surfaces' paths (a GET where they have only
    // a POST): what is refused on it is answered in the shape of the surface the path names.
    scope.setErrorHandler(
      surface === DASHBOARD ? errorHandlerByPath : errorHandlerOf(surface.renderError),
    );
    scope.addHook('onRoute', (route) => {
      const owner = surfaceOf(route.url);
      if (owner !== surface) {
        throw new Error(
          `${String(route.method)} ${route.url} is registered by the ${surface.name} surface, ` +
            `but surfaces.ts gives that path to ${owner.name}: add it to ${surface.name}'s prefixes`,
        );
      }
    });
    await routes(scope);
  });
}
