/** The public surface of the devices module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import type { UserDirectory } from '../users/index.js';
import { DevicesRepository } from './devices.repository.js';
import { devicesRoutes } from './devices.routes.js';
import { DevicesService } from './devices.service.js';

export type { PushDevice } from './devices.repository.js';
export type { DeviceRegistration, DevicesService } from './devices.service.js';

/** What the push module reads: who has a device, and the devices of the recipients. */
export type DeviceDirectory = Pick<DevicesService, 'forUsers' | 'usersWithDevices' | 'anyDevice'>;

export interface DevicesModuleDeps {
  storage: Storage;
  bus: EventBus;
  users: Pick<UserDirectory, 'find'>;
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
  });
  return {
    devices,
    routes: bindRoutes(devicesRoutes, { devices }),
  };
}
