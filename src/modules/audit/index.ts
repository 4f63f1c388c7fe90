/** The public surface of the audit module: other folders import only from here. */
export { ActivityRecorder } from './activity-recorder.js';
export { AuditRepository } from './audit.repository.js';
export { auditRoutes } from './audit.routes.js';
