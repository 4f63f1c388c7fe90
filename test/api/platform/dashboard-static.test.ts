import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorsPlugin from '../../../src/plugins/errors.js';
import dashboardStatic from '../../../src/plugins/dashboard-static.js';

const INDEX =
  '<!doctype html><title>Parley dashboard</title><script type="module" src="/dashboard/assets/app-1a2b3c.js"></script>';

async function serve(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(errorsPlugin);
  await app.register(dashboardStatic, { root });
  await app.ready();
  return app;
}

describe('the dashboard front end at /dashboard/', () => {
  let dir: string;
  let built: FastifyInstance;
  let missing: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    built = await serve(dir);
    missing = await serve(join(dir, 'not-built'));
  });
  afterAll(async () => {
    await built?.close();
    await missing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html, never cached, for /dashboard and every client route, with a strict CSP', async () => {
    for (const url of [
      '/dashboard',
      '/dashboard/',
      '/dashboard/login',
      '/dashboard/apps/app_1/keys',
      '/dashboard/setup',
    ]) {
      const response = await built.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.body, url).toBe(INDEX);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).not.toContain('unsafe-inline');
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('serves hashed assets for a year, immutable, and files of the root without long caching', async () => {
    const asset = await built.inject({ method: 'GET', url: '/dashboard/assets/app-1a2b3c.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    const icon = await built.inject({ method: 'GET', url: '/dashboard/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 (not the page, not a cached answer) for a missing file, an API path or a way out of the root', async () => {
    for (const url of [
      '/dashboard/assets/missing-000000.js',
      '/dashboard/missing.png',
      '/dashboard/api/nothing-here',
      '/dashboard/api',
      '/dashboard/assets/../../package.json',
      '/dashboard/assets/%2e%2e/%2e%2e/package.json',
    ]) {
      const response = await built.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['cache-control'], url).toBeUndefined();
      expect(response.body, url).not.toContain('Parley dashboard');
    }
  });

  it('says how to build it when the build is missing, instead of failing', async () => {
    for (const url of ['/dashboard', '/dashboard/apps']) {
      const response = await missing.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(503);
      expect(response.headers['content-type'], url).toMatch(/^text\/plain/);
      expect(response.body, url).toContain('npm run build');
    }
  });
});
