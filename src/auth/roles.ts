import type { Role } from '../domain/enums.js';
import { UserErrorException, userError } from '../domain/errors.js';
import type { Viewer } from './tokens.js';

/** Every role that works with clients and sends. */
export const STAFF: Role[] = ['AGENT', 'SUPERVISOR', 'ADMIN', 'INTEGRATOR'];

/** The one gate for every entry point: no viewer is UNAUTHENTICATED, the wrong role FORBIDDEN. */
export function requireRole(viewer: Viewer | null, roles: readonly Role[]): Viewer {
  if (!viewer) throw new UserErrorException(userError('UNAUTHENTICATED', 'Send a valid token as "Authorization: Bearer <token>".'));
  if (roles.length > 0 && !roles.includes(viewer.role)) {
    throw new UserErrorException(
      userError('FORBIDDEN', `This needs the role ${roles.join(' or ')}; your token is for ${viewer.role}.`),
    );
  }
  return viewer;
}
