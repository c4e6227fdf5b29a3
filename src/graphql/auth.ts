import type { AuthChecker } from 'type-graphql';
import type { Role } from '../domain/enums.js';
import { requireRole } from '../http/auth.js';
import type { Context } from './context.js';

// `@Authorized()` means any valid token; `@Authorized(...roles)` a role among them. The checker
// throws the contract's UNAUTHENTICATED / FORBIDDEN rather than type-graphql's own messages.
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  requireRole(context.viewer, roles);
  return true;
};

export const EVERYONE: Role[] = [];
export const STAFF: Role[] = ['AGENT', 'SUPERVISOR', 'ADMIN', 'INTEGRATOR'];
