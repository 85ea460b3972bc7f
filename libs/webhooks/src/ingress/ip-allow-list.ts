import { BlockList, isIP } from 'node:net';

/** Matches client addresses against literals and CIDR ranges ('52.31.139.75', '10.0.0.0/8', '::1'). */
export class IpAllowList {
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.trim().split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (!isIP(address)) throw new Error(`allowIps: "${entry}" is not an IP address or CIDR range`);
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
  }

  allows(ip: string | undefined): boolean {
    if (!ip) return false;
    // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d.
    const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(address);
    if (!family) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
