import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { WEBHOOK_ALLOWED_METHODS_METADATA } from '../webhooks.constants';
import { errorResponse } from './ingress-response';
import { toHttpException } from './webhook-ingress.service';

/** Answers 405 with `Allow` on a webhook path called with a method its provider does not use; admits the rest. */
@Injectable()
export class MethodNotAllowedGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const allowed = this.reflector.get<string[] | undefined>(WEBHOOK_ALLOWED_METHODS_METADATA, context.getHandler());
    if (!allowed) return true;
    this.adapterHost.httpAdapter.setHeader(context.switchToHttp().getResponse(), 'Allow', allowed.join(', '));
    throw toHttpException(errorResponse(405, `This webhook endpoint accepts ${allowed.join(' or ')}.`));
  }
}
