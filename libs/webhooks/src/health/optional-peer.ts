/** A feature of the package was used without the optional peer dependency it runs on. */
export class MissingPeerDependencyError extends Error {
  constructor(
    readonly peer: string,
    feature: string,
    install: string,
  ) {
    super(`${feature} needs "${peer}", an optional peer dependency that is not installed. Install it: ${install}`);
    this.name = 'MissingPeerDependencyError';
  }
}

/**
 * Loads an optional peer when the feature that needs it is used, so the package itself loads without it.
 * `load` calls `require` with the literal name: the package build checks every module a file loads.
 */
export function requireOptionalPeer<T>(peer: string, feature: string, install: string, load: () => T): T {
  try {
    require.resolve(peer);
  } catch (error) {
    // Only "not installed" is ours to explain; anything else (a broken install) is thrown as it is.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'MODULE_NOT_FOUND') throw new MissingPeerDependencyError(peer, feature, install);
    throw error;
  }
  return load();
}
