/** The public surface of the devices module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import type { UserDirectory } from '../users/index.js';
import { DevicesRepository } from './devices.repository.js';
import { devicesRoutes } from './devices.routes.js';
import { DevicesService, type TokenCheck } from './devices.service.js';

export type { PushDevice } from './devices.repository.js';
export type { DeviceRegistration, DevicesService, TokenCheck } from './devices.service.js';

/** What the push module reads: who has a device, and the devices of the recipients. */
export type DeviceDirectory = Pick<
  DevicesService,
  'forUsers' | 'usersWithDevices' | 'anyDevice' | 'forTokens' | 'forgetToken'
>;

export interface DevicesModuleDeps {
  storage: Storage;
  bus: EventBus;
  users: Pick<UserDirectory, 'find'>;
  /** The push platforms' check of a token at registration (a Web Push subscription's JSON). */
  tokenProblem?: TokenCheck;
}

export interface DevicesModule {
  devices: DevicesService;
  routes: FastifyPluginAsync;
}

export function createDevicesModule(deps: DevicesModuleDeps): DevicesModule {
  const devices = new DevicesService({
    repository: new DevicesRepository(deps.storage),
    users: deps.users,
    bus: deps.bus,
    ...(deps.tokenProblem ? { tokenProblem: deps.tokenProblem } : {}),
  });
  return {
    devices,
    routes: bindRoutes(devicesRoutes, { devices }),
  };
}
