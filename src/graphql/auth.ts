import type { AuthChecker } from 'type-graphql';
import { requireRole } from '../auth/roles.js';
import type { Viewer } from '../auth/tokens.js';
import type { Role } from '../domain/enums.js';
import { UserErrorException } from '../domain/errors.js';
import type { Context } from './context.js';
import { toGraphQLError } from './errors.js';

/** requireRole for resolvers: the error carries its HTTP status (401/403) to Apollo. */
export function authorize(viewer: Viewer | null, roles: readonly Role[]): Viewer {
  try {
    return requireRole(viewer, roles);
  } catch (err) {
    throw err instanceof UserErrorException ? toGraphQLError(err.userError) : err;
  }
}

// `@Authorized()` means any valid token; `@Authorized(...roles)` a role among them. The checker
// throws the contract's UNAUTHENTICATED / FORBIDDEN rather than type-graphql's own messages.
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  authorize(context.viewer, roles);
  return true;
};
