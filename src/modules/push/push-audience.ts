import type { EventBus } from '../../events/event-bus.js';
import { PerAppCache } from '../../events/per-app-cache.js';
import type { DeviceDirectory } from '../devices/index.js';
import type { UserDirectory } from '../users/index.js';

export type AudienceDirectory = Pick<UserDirectory, 'findMany' | 'groupsAmong' | 'anyGroup'>;

/**
 * Who a new message notifies: the room's members (a user group stands for its users, spec 3.6) but
 * not the sender, with a device, notifications on and the room not muted. Most apps have no groups,
 * and many no devices: whether an app has any is kept per app, so those messages cost no query.
 */
export class PushAudience {
  private readonly hasGroups: PerAppCache<boolean>;
  private readonly hasDevices: PerAppCache<boolean>;

  constructor(private readonly deps: { users: AudienceDirectory; devices: DeviceDirectory; bus: EventBus }) {
    this.hasGroups = new PerAppCache(deps.bus, ['group.created']);
    this.hasDevices = new PerAppCache(deps.bus, ['device.registered']);
  }

  /** `needsDevice`: false when an external push service reaches users whatever devices they registered here. */
  async of(
    appId: string,
    roomId: string,
    members: readonly string[],
    senderId: string | null,
    needsDevice = true,
  ): Promise<string[]> {
    const { users, devices } = this.deps;
    if (needsDevice && !(await this.hasDevices.get(appId, () => devices.anyDevice(appId)))) return [];
    const groups = (await this.hasGroups.get(appId, () => users.anyGroup(appId)))
      ? await users.groupsAmong(appId, members)
      : new Map<string, string[]>();
    const people = new Set(members.filter((id) => !groups.has(id)));
    for (const groupUsers of groups.values()) for (const id of groupUsers) people.add(id);
    if (senderId !== null) people.delete(senderId);
    const reachable = needsDevice ? await devices.usersWithDevices(appId, [...people]) : people;
    if (reachable.size === 0) return [];
    return (await users.findMany(appId, [...reachable]))
      .filter((user) => !user.isGroup && user.notificationEnabled && !user.mute.includes(roomId))
      .map((user) => user.id);
  }
}
