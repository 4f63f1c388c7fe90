import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import type { UserDirectory } from '../users/index.js';
import type { DevicesRepository, PushDevice } from './devices.repository.js';

export interface DeviceRegistration {
  type: string;
  token: string;
  deviceId: string | null;
}

/** Why a device token can never be delivered to (a `web` subscription that is not one), else undefined. */
export type TokenCheck = (type: string, token: string) => string | undefined;

/** Push device registrations (spec 10.2, 12 item 69): who may register, and where a user's notifications go. */
export class DevicesService {
  private readonly repository: DevicesRepository;
  private readonly users: Pick<UserDirectory, 'find'>;
  private readonly bus: EventBus;
  private readonly tokenProblem: TokenCheck;

  constructor(deps: {
    repository: DevicesRepository;
    users: Pick<UserDirectory, 'find'>;
    bus: EventBus;
    tokenProblem?: TokenCheck;
  }) {
    this.repository = deps.repository;
    this.users = deps.users;
    this.bus = deps.bus;
    this.tokenProblem = deps.tokenProblem ?? (() => undefined);
  }

  /** Registers a device of an existing user; a token registered before by someone else moves to them. */
  async subscribe(
    appId: string,
    userId: string,
    device: DeviceRegistration,
  ): Promise<{ client: string; type: string; deviceId: string | null }> {
    const problem = this.tokenProblem(device.type, device.token);
    if (problem) throw new AppError('INVALID_REQUEST', problem);
    if (!(await this.users.find(appId, userId)))
      throw new AppError('CLIENT_NOT_FOUND', `Client with id '${userId}' not found`);
    await this.repository.subscribe(appId, userId, device);
    this.bus.publish('device.registered', { appId, userId });
    return { client: userId, type: device.type, deviceId: device.deviceId };
  }

  /** Removes a user's registrations of a type, by device id, else by token (all of that type when neither is given). */
  async unsubscribe(
    appId: string,
    userId: string,
    filter: { type: string; token?: string; deviceId?: string },
  ): Promise<{ client: string; removed: number; n: number; ok: 1 }> {
    const removed = await this.repository.unsubscribe(appId, userId, filter);
    // `n`, `ok`: the storage result IMKIT answered ([hist] 3.3); `removed` is the same count.
    return { client: userId, removed, n: removed, ok: 1 };
  }

  /** Logout ([hist] 2.3): the user's registrations bound to this device ID; how many were removed. */
  forgetDevice(appId: string, userId: string, deviceId: string): Promise<number> {
    return this.repository.forgetDevices(appId, userId, deviceId, 'this');
  }

  /** Logout of the other devices ([hist] 2.4): every registration of the user not bound to this device ID. */
  forgetOtherDevices(appId: string, userId: string, deviceId: string): Promise<number> {
    return this.repository.forgetDevices(appId, userId, deviceId, 'others');
  }

  /** Whether any user of the app has a device. */
  anyDevice(appId: string): Promise<boolean> {
    return this.repository.anyDevice(appId);
  }

  /** Which of these users have any device: the only ones a notification can reach. */
  usersWithDevices(appId: string, userIds: readonly string[]): Promise<Set<string>> {
    return this.repository.usersWithDevices(appId, userIds);
  }

  /** The devices notifications to these users go to. */
  forUsers(appId: string, userIds: readonly string[]): Promise<PushDevice[]> {
    return this.repository.forUsers(appId, userIds);
  }

  /** The registrations of these tokens of one type. */
  forTokens(appId: string, type: string, tokens: readonly string[]): Promise<PushDevice[]> {
    return this.repository.forTokens(appId, type, tokens);
  }

  /** A device the push platform says is gone (unregistered, bad token): its registration is removed. */
  forgetToken(appId: string, type: string, token: string): Promise<number> {
    return this.repository.forgetToken(appId, type, token);
  }
}
