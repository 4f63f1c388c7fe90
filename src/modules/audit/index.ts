/** The public surface of the audit module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import type { KeyUseRecorder } from '../keys/index.js';
import { ActivityRecorder } from './activity-recorder.js';
import { AuditRepository } from './audit.repository.js';
import { auditRoutes } from './audit.routes.js';
import { AuditService } from './audit.service.js';

export type { ActivityRecorder } from './activity-recorder.js';
export type { AuditEntry } from './audit.repository.js';
export type { AuditService } from './audit.service.js';

export interface AuditModuleDeps {
  storage: Storage;
  /** The keys service: the recorder reports each key's last use (time, address) to it. */
  keys: KeyUseRecorder;
  /** AUDIT_RETENTION_DAYS. */
  retentionDays: number;
  onError: (error: unknown) => void;
}

export interface AuditModule {
  /** Records admin requests (batched; `start()` at start-up, `stop()` at shutdown). */
  activity: ActivityRecorder;
  /** Reads the trail and per-key usage; satisfies the keys module's `KeyActivityPort`. */
  audit: AuditService;
  /** `GET /admin/audit`. */
  routes: FastifyPluginAsync;
}

export function createAuditModule(deps: AuditModuleDeps): AuditModule {
  const repository = new AuditRepository(deps.storage);
  const activity = new ActivityRecorder({
    audit: repository,
    keys: deps.keys,
    retentionDays: deps.retentionDays,
    onError: deps.onError,
  });
  const audit = new AuditService({ audit: repository, activity });
  return {
    activity,
    audit,
    routes: bindRoutes(auditRoutes, { audit }),
  };
}
