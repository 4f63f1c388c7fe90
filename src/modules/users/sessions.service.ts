import type { UserToken } from './tokens.repository.js';
import type { TokensService } from './tokens.service.js';
import type { UsersRepository } from './users.repository.js';

/**
 * The push registrations a logout ends, by the device ID the client sends (`IM-Device-ID`): the
 * devices module's, filled in by the composition root (devices depends on users, not the reverse).
 */
export interface SessionDevicesPort {
  /** Removes the user's registrations bound to this device; how many. */
  forgetDevice(appId: string, userId: string, deviceId: string): Promise<number>;
  /** Removes every registration of the user except those bound to this device; how many. */
  forgetOtherDevices(appId: string, userId: string, deviceId: string): Promise<number>;
}

export interface LoggedOut {
  revoked: UserToken[];
  devicesRemoved: number;
}

/**
 * A user ending their own sessions ([hist] 2.3, 2.4): the token of the request, or every other one;
 * with a device ID, that device's push registrations, or every other device's. Sockets of the
 * revoked tokens close on every node (`token.revoked`).
 */
export class SessionsService {
  constructor(private readonly deps: { users: UsersRepository; tokens: TokensService; devices: SessionDevicesPort }) {}

  async logout(appId: string, userId: string, tokenId: string, deviceId: string | null): Promise<LoggedOut> {
    const revoked = await this.revokeWhere(appId, userId, (token) => token.id === tokenId);
    const devicesRemoved = deviceId === null ? 0 : await this.deps.devices.forgetDevice(appId, userId, deviceId);
    return { revoked, devicesRemoved };
  }

  /**
   * Without a device ID no registration is removed: nothing tells this device's from the others'.
   */
  async logoutOthers(appId: string, userId: string, tokenId: string, deviceId: string | null): Promise<LoggedOut> {
    const revoked = await this.revokeWhere(appId, userId, (token) => token.id !== tokenId);
    const devicesRemoved = deviceId === null ? 0 : await this.deps.devices.forgetOtherDevices(appId, userId, deviceId);
    return { revoked, devicesRemoved };
  }

  private async revokeWhere(
    appId: string,
    userId: string,
    chosen: (token: UserToken) => boolean,
  ): Promise<UserToken[]> {
    const revoked = await this.deps.users.transaction(async (tx) => {
      const tokens = (await this.deps.tokens.listForUser(appId, userId, tx)).filter(chosen);
      await this.deps.tokens.remove(
        appId,
        tokens.map((token) => token.id),
        tx,
      );
      return tokens;
    });
    this.deps.tokens.announceRevoked(
      appId,
      userId,
      revoked.map((token) => token.id),
    );
    return revoked;
  }
}
