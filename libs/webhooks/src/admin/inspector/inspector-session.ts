import { createHmac } from 'node:crypto';
import { safeEqual } from '../../providers/hmac';
import type { ActiveSecret } from '../../secrets/webhook-secret';

/** Name of the inspector's session cookie (HttpOnly, SameSite=Strict, scoped to the admin path). */
export const INSPECTOR_SESSION_COOKIE = 'webhooks_inspector_session';
/** How long a sign-in lasts. */
export const INSPECTOR_SESSION_MS = 8 * 60 * 60 * 1000;

const VERSION = 'v1';

/**
 * A session value: its expiry and an HMAC of it keyed by the admin token. It proves the holder knew
 * the token without carrying it, needs no server state (any replica checks it), and dies with the
 * token when the token is rotated out.
 */
export function signSession(token: string, expiresAt: Date): string {
  const expires = String(expiresAt.getTime());
  return `${VERSION}.${expires}.${mac(token, expires)}`;
}

/** True when `value` was signed with one of `tokens` and has not expired; every token is compared. */
export function verifySession(value: string, tokens: readonly ActiveSecret[], now: Date): boolean {
  const [version, expires, signature, ...rest] = value.split('.');
  if (version !== VERSION || !/^\d{1,15}$/.test(expires ?? '') || !signature || rest.length > 0) return false;
  let matched = false;
  for (const token of tokens) {
    if (safeEqual(mac(token.value, expires), signature)) matched = true;
  }
  return matched && Number(expires) > now.getTime();
}

function mac(token: string, expires: string): string {
  return createHmac('sha256', token).update(`nestjs-payment-webhooks:inspector-session:${VERSION}:${expires}`).digest('base64url');
}

/** The value of one cookie in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export interface SessionCookieOptions {
  /** The admin path as the browser sees it (the app's global prefix included). */
  path: string;
  secure: boolean;
  /** Seconds; 0 clears the cookie. */
  maxAge: number;
}

/** A `Set-Cookie` value for the session (an empty value with `maxAge: 0` signs out). */
export function sessionCookie(value: string, options: SessionCookieOptions): string {
  const attributes = [`${INSPECTOR_SESSION_COOKIE}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAge}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}
