import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const HEARTBEAT_MS = 10_000;
/** A node that has not written for this long (stopped, crashed) no longer counts. */
const NODE_TTL_MS = 30_000;

/**
 * Which users have a live, authenticated connection (room members' `isSocketConnected`, spec 4.2).
 * Each node counts its own sockets; with Redis it also keeps the set of its online users under a
 * key that expires unless the node keeps it alive, so a crashed node's users fall offline by themselves.
 */
export class Presence {
  private readonly local = new Map<string, number>();
  private readonly nodeId = randomBytes(6).toString('hex');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
  ) {}

  start(): void {
    if (!this.redis) return;
    const beat = () => this.heartbeat().catch(() => undefined);
    void beat();
    this.timer = setInterval(beat, HEARTBEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.redis) return;
    await Promise.all([
      this.redis.zrem(this.nodesKey(), this.nodeId).catch(() => undefined),
      this.redis.del(this.usersKey(this.nodeId)).catch(() => undefined),
    ]);
  }

  connected(appId: string, userId: string): void {
    const key = member(appId, userId);
    const count = (this.local.get(key) ?? 0) + 1;
    this.local.set(key, count);
    if (count === 1) this.redis?.sadd(this.usersKey(this.nodeId), key).catch(() => undefined);
  }

  disconnected(appId: string, userId: string): void {
    const key = member(appId, userId);
    const count = (this.local.get(key) ?? 1) - 1;
    if (count > 0) return void this.local.set(key, count);
    this.local.delete(key);
    this.redis?.srem(this.usersKey(this.nodeId), key).catch(() => undefined);
  }

  /** The users among `userIds` connected on any node. */
  async online(appId: string, userIds: readonly string[]): Promise<Set<string>> {
    const found = new Set(userIds.filter((id) => this.local.has(member(appId, id))));
    const { redis } = this;
    if (!redis || found.size === userIds.length || userIds.length === 0) return found;
    const nodes = (await redis.zrangebyscore(this.nodesKey(), Date.now() - NODE_TTL_MS, '+inf')).filter(
      (id) => id !== this.nodeId,
    );
    if (nodes.length === 0) return found;
    const keys = userIds.map((id) => member(appId, id));
    const answers = await Promise.all(nodes.map((node) => redis.smismember(this.usersKey(node), ...keys)));
    for (const answer of answers) {
      userIds.forEach((userId, index) => {
        if (answer[index] === 1) found.add(userId);
      });
    }
    return found;
  }

  private async heartbeat(): Promise<void> {
    const { redis } = this;
    // A beat due while the connection closes (a stop, an outage) is skipped: a transaction's queued
    // commands would each reject unobserved.
    if (!redis || redis.status !== 'ready') return;
    const usersKey = this.usersKey(this.nodeId);
    const users = [...this.local.keys()];
    const pipeline = redis.multi().del(usersKey);
    if (users.length > 0) pipeline.sadd(usersKey, ...users);
    await pipeline
      .pexpire(usersKey, NODE_TTL_MS)
      .zadd(this.nodesKey(), Date.now(), this.nodeId)
      .zremrangebyscore(this.nodesKey(), '-inf', Date.now() - NODE_TTL_MS)
      .exec();
  }

  private nodesKey(): string {
    return `${this.prefix}presence:nodes`;
  }

  private usersKey(nodeId: string): string {
    return `${this.prefix}presence:node:${nodeId}`;
  }
}

const member = (appId: string, userId: string): string => `${appId}\n${userId}`;
