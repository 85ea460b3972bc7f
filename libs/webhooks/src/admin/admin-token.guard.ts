import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { safeEqual } from '../providers/hmac';
import { activeSecrets } from '../secrets/webhook-secret';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { INSPECTOR_SESSION_COOKIE, readCookie, verifySession } from './inspector/inspector-session';

/** What the guard reads of a request, on Express and Fastify alike. */
export interface AdminRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admits requests carrying `Authorization: Bearer <adminToken>` (any configured token, constant time),
 * or the inspector's session cookie. A cookie is sent by the browser on its own, so a change made with
 * it must also carry `X-Requested-With` (a cross-site form cannot set it, and a cross-site script would
 * need a CORS preflight nothing here grants) and must not come from another site (`Sec-Fetch-Site`).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const authorization = header(request, 'authorization');
    const session = readCookie(header(request, 'cookie'), INSPECTOR_SESSION_COOKIE);
    if (authorization === undefined && session) return this.checkSession(request, session);
    const [scheme, token] = (authorization ?? '').split(' ');
    // The scheme is case-insensitive (RFC 9110 §11.1).
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new UnauthorizedException('Send Authorization: Bearer <admin token>.');
    if (!this.tokenMatches(token)) throw new UnauthorizedException('The admin token is not valid.');
    return true;
  }

  /** True when `token` is one of the active admin tokens; every token is compared. */
  tokenMatches(token: string): boolean {
    let matched = false;
    for (const secret of activeSecrets(this.config.adminTokens, this.config.clock())) {
      if (safeEqual(secret.value, token)) matched = true;
    }
    return matched;
  }

  private checkSession(request: AdminRequest, session: string): boolean {
    const now = this.config.clock();
    if (!verifySession(session, activeSecrets(this.config.adminTokens, now), now)) {
      throw new UnauthorizedException('The inspector session has expired or its token was rotated out; sign in again.');
    }
    if (!SAFE_METHODS.has(request.method.toUpperCase())) assertNotCrossSite(request);
    return true;
  }
}

/** Refuses a cookie-authenticated change that a page of another site could have caused (CSRF). */
export function assertNotCrossSite(request: AdminRequest): void {
  const site = header(request, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') {
    throw new ForbiddenException(
      `A change signed in with the inspector's cookie must come from the inspector page itself (Sec-Fetch-Site: ${site}).`,
    );
  }
  if (!header(request, 'x-requested-with')) {
    throw new ForbiddenException(
      "A change signed in with the inspector's cookie needs the X-Requested-With header (the inspector page sends it), or use Authorization: Bearer.",
    );
  }
}

function header(request: AdminRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
