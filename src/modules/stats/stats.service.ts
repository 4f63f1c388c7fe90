import { freemem, totalmem } from 'node:os';
import { AppError } from '../../core/errors.js';
import { iso, parseTime } from '../../shared/time.js';

const HOUR_MS = 3_600_000;
const MONTH_MS = 30 * 24 * HOUR_MS;
const MAX_USER_LIST = 1000;
/** The longest window of the per-minute series: a week is 10,080 points. */
const MAX_SERIES_MS = 7 * 24 * HOUR_MS;

/** The application reported on (the apps module's AppsService.get). */
export interface StatsApps {
  get(appId: string): Promise<{ id: string; clientKey: string }>;
}

/** User figures (the users module's UsersRepository: `count`, `countActiveSince`, `activeBetween`). */
export interface UserCounts {
  count(appId: string, since?: number): Promise<number>;
  countActiveSince(appId: string, since: number): Promise<number>;
  activeBetween(appId: string, from: number, to: number, limit: number): Promise<string[]>;
}

/** Room and message figures (the chat module's `counts`). */
export interface ChatCountsPort {
  rooms(appId: string): Promise<number>;
  activeRooms(appId: string, start: number, end: number): Promise<number>;
  messages(appId: string, start: number, end: number): Promise<number>;
  messagesPerMinute(appId: string, start: number, end: number): Promise<Array<{ minute: number; count: number }>>;
}

/** Live real-time connections of an app on every node (the gateway, once it runs). */
export interface ConnectionCount {
  count(appId: string): Promise<number>;
}

export interface StatsReport {
  clientId: string;
  clientKey: string;
  apiKey: string;
  startTime: string;
  endTime: string;
  start: number;
  end: number;
  userList: string[];
  roomCount: number;
  totalRoomCount: number;
  messageCount: number;
  peakConnectionCount: number;
  newUserCount: number;
  totalUserCount: number;
  monthlyAcitiveUserCount: number;
  totalMem: number;
  freeMem: number;
}

/** Monitoring (spec 9): live connections and the statistics report. */
export class StatsService {
  constructor(
    private readonly deps: {
      apps: StatsApps;
      users: UserCounts;
      chat: ChatCountsPort;
      connections: ConnectionCount;
    },
  ) {}

  /** `GET /admin/connection-count` (spec 9.1). */
  connectionCount(appId: string): Promise<number> {
    return this.deps.connections.count(appId);
  }

  /** `GET /admin/stats/messages`: messages sent per minute, the last hour unless `from`/`to` are given. */
  async messagesPerMinute(
    appId: string,
    window: { from?: string; to?: string },
  ): Promise<{ from: string; to: string; totalCount: number; data: Array<{ minuteMS: number; messages: number }> }> {
    const { start, end } = readWindow(window.from, window.to);
    if (end - start > MAX_SERIES_MS) throw new AppError('INVALID_REQUEST', 'The window may span 7 days at most');
    const minutes = await this.deps.chat.messagesPerMinute(appId, start, end);
    return {
      from: iso(start),
      to: iso(end),
      totalCount: minutes.reduce((sum, minute) => sum + minute.count, 0),
      data: minutes.map(({ minute, count }) => ({ minuteMS: minute, messages: count })),
    };
  }

  /**
   * `GET /admin/stats` (spec 9.2): the last hour unless `start`/`end` are given; asked with an API
   * key, which the report shows masked (`caller`: `…` and its last four), or by a dashboard operator
   * (`caller`: `operator:<name>`); undefined otherwise.
   */
  async report(
    appId: string,
    caller: string | undefined,
    window: { start?: string; end?: string },
  ): Promise<StatsReport> {
    if (caller === undefined) throw new AppError('MISSING_API_KEY');
    const { start, end } = readWindow(window.start, window.end);
    const { apps, users, chat, connections } = this.deps;
    const app = await apps.get(appId);
    const [userList, totalUserCount, newUserCount, monthly, roomCount, totalRoomCount, messageCount, live] =
      await Promise.all([
        users.activeBetween(app.id, start, end, MAX_USER_LIST),
        users.count(app.id),
        users.count(app.id, start),
        users.countActiveSince(app.id, end - MONTH_MS),
        chat.activeRooms(app.id, start, end),
        chat.rooms(app.id),
        chat.messages(app.id, start, end),
        connections.count(app.id),
      ]);
    return {
      clientId: app.id,
      clientKey: app.clientKey,
      apiKey: caller,
      startTime: iso(start),
      endTime: iso(end),
      start: Math.floor(start / 1000),
      end: Math.floor(end / 1000),
      userList,
      roomCount,
      totalRoomCount,
      messageCount,
      // No history of connections is kept yet: the peak reported is the count now.
      peakConnectionCount: live,
      newUserCount,
      totalUserCount,
      monthlyAcitiveUserCount: monthly,
      totalMem: totalmem(),
      freeMem: freemem(),
    };
  }
}

/** A window given by two optional times (ISO-8601 or ms epoch): the hour before `end` (or now) by default. */
function readWindow(from: string | undefined, to: string | undefined): { start: number; end: number } {
  const now = Date.now();
  const end = to === undefined ? now : parseTime(to);
  const start = from === undefined ? (end ?? now) - HOUR_MS : parseTime(from);
  if (start === undefined || end === undefined || start > end)
    throw new AppError('INVALID_REQUEST', 'The window must be two times, the first before the second');
  return { start, end };
}
