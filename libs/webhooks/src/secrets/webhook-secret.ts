/** A signing secret, optionally with the moment it stops verifying (end of a rotation overlap). */
export type WebhookSecret = string | { secret: string; notAfter?: Date | string | number };

export interface ActiveSecret {
  /** Position in the configured list, for rotation telemetry. Never log the value. */
  index: number;
  value: string;
}

/** The configured secrets that still verify at `now`, keeping their original positions. */
export function activeSecrets(secrets: readonly WebhookSecret[], now: Date): ActiveSecret[] {
  const active: ActiveSecret[] = [];
  secrets.forEach((entry, index) => {
    if (typeof entry === 'string') {
      active.push({ index, value: entry });
      return;
    }
    const notAfter = entry.notAfter === undefined ? undefined : new Date(entry.notAfter);
    if (!notAfter || now.getTime() <= notAfter.getTime()) active.push({ index, value: entry.secret });
  });
  return active;
}

/** The value of a secret entry, for start-up validation. */
export function secretValue(entry: WebhookSecret | undefined): string | undefined {
  // `secrets: [process.env.X!]` with X unset puts undefined here: report it, do not crash on it.
  return typeof entry === 'string' ? entry : entry?.secret;
}
