import { MissingPeerDependencyError, requireOptionalPeer } from './optional-peer';

describe('requireOptionalPeer', () => {
  it('names the feature, the missing package and the install command', () => {
    const load = jest.fn();
    let thrown: unknown;
    try {
      requireOptionalPeer('@example/not-installed-peer', 'WebhooksHealthModule', 'npm install @example/not-installed-peer', load);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingPeerDependencyError);
    expect((thrown as Error).message).toBe(
      'WebhooksHealthModule needs "@example/not-installed-peer", an optional peer dependency that is not installed. ' +
        'Install it: npm install @example/not-installed-peer',
    );
    expect(load).not.toHaveBeenCalled();
  });

  it('loads an installed peer', () => {
    expect(requireOptionalPeer('prom-client', 'WebhooksMetricsModule', 'npm install prom-client', () => 'loaded')).toBe('loaded');
  });
});
