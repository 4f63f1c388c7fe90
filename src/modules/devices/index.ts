/** The public surface of the devices module: other folders import only from here. */
export { DevicesRepository } from './devices.repository.js';
export type { PushDevice } from './devices.repository.js';
export { devicesRoutes } from './devices.routes.js';
