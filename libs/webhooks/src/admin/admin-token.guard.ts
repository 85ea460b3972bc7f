import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { safeEqual } from '../providers/hmac';
import { activeSecrets } from '../secrets/webhook-secret';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';

/** Admits requests carrying `Authorization: Bearer <adminToken>` (any configured token, constant time). */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    // The scheme is case-insensitive (RFC 9110 §11.1).
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new UnauthorizedException('Send Authorization: Bearer <admin token>.');
    let matched = false;
    for (const secret of activeSecrets(this.config.adminTokens, this.config.clock())) {
      if (safeEqual(secret.value, token)) matched = true;
    }
    if (!matched) throw new UnauthorizedException('The admin token is not valid.');
    return true;
  }
}
