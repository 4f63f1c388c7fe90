import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { buildTestApp, type TestApp } from './test-app.js';

/**
 * An app of its own whose uploads stop at `fileBytes`, with one user `uploader` (its token), for the
 * describe block around the call; set once its beforeAll has run.
 */
export function useFileLimitApp(fileBytes: number): { readonly t: TestApp; readonly token: string } {
  const suite = {} as { t: TestApp; token: string };
  beforeAll(async () => {
    suite.t = await buildTestApp({ limits: { ...loadConfig({}).limits, fileBytes } });
    suite.token = await suite.t.createUser('uploader');
  });
  afterAll(() => suite.t?.close());
  return suite;
}
