import { AppError } from '../../core/errors.js';
import type { UserDirectory } from '../users/index.js';

/** Every id must be an existing user or group; 404 `CLIENT_NOT_FOUND` names the first unknown. */
export async function checkUsersExist(users: UserDirectory, appId: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  for (const id of unique) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 255)
      throw new AppError('INVALID_REQUEST', 'User ids must be 1 to 255 characters');
  }
  const found = new Set((await users.findMany(appId, unique)).map((user) => user.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw new AppError('CLIENT_NOT_FOUND', `Client with id '${missing}' not found`);
}
