import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config/config.js';
import { buildTestApp, freshDatabase, type TestApp } from './test-app.js';

/** Two Parley nodes in one process: separate caches and Redis connections, one database, one Redis prefix. */
export interface TwoNodes {
  a: TestApp;
  b: TestApp;
  close(): Promise<void>;
}

export async function buildTwoNodes(overrides: Partial<Config> = {}): Promise<TwoNodes> {
  const storage = await freshDatabase();
  const redisPrefix = `parley-test:${randomBytes(6).toString('hex')}:`;
  let a: TestApp | undefined;
  let b: TestApp | undefined;
  const close = async () => {
    await a?.close();
    await b?.close();
    await storage.dispose();
  };
  try {
    a = await buildTestApp(overrides, { storage, redisPrefix });
    b = await buildTestApp(overrides, {
      storage,
      redisPrefix,
      credentials: { apiKey: a.apiKey, clientKey: a.clientKey, appId: a.appId },
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { a, b, close };
}
