/**
 * The SSRF guard: which network addresses the gateway may connect to when a URL is built from
 * input (proxy paths, base URL templates filled from connection settings or account values).
 *
 * Policy (LATCHKEY_EGRESS_ALLOW):
 *  - public unicast addresses are always allowed;
 *  - special-purpose ranges are refused unless named in the allow list:
 *      `loopback`    127.0.0.0/8, ::1
 *      `private`     10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7 (ULA)
 *      `link-local`  169.254/16 (cloud metadata lives here), fe80::/10
 *    or a CIDR (`10.1.0.0/16`, `fd00::/8`);
 *  - `any` turns the guard off, `none` allows nothing special;
 *  - never allowed, whatever the list (except `any`): 0.0.0.0/8, ::, multicast, broadcast and
 *    reserved ranges (nothing legitimate is there).
 * Default: `loopback` when the gateway itself listens on a loopback address (a laptop, `latchkey
 * dev` and its sandbox), `none` otherwise.
 *
 * Checks run on the address actually connected to: literal IPs in the URL by `checkUrl`, names by
 * the `lookup` function given to the socket (so DNS rebinding between check and connect is moot).
 * IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are judged as the IPv4 address they carry.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type NetworkName = 'loopback' | 'private' | 'link-local';

const RANGES: Record<NetworkName | 'reserved', [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['100.64.0.0', 10, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
  'link-local': [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  reserved: [
    ['0.0.0.0', 8, 'ipv4'],
    ['192.0.0.0', 24, 'ipv4'],
    ['198.18.0.0', 15, 'ipv4'],
    ['224.0.0.0', 4, 'ipv4'],
    ['240.0.0.0', 4, 'ipv4'],
    ['::', 128, 'ipv6'],
    ['ff00::', 8, 'ipv6'],
    ['64:ff9b::', 96, 'ipv6'],
  ],
};

export const NETWORK_NAMES: readonly NetworkName[] = ['loopback', 'private', 'link-local'];

/** A parsed LATCHKEY_EGRESS_ALLOW value. */
export interface EgressPolicy {
  any: boolean;
  networks: NetworkName[];
  cidrs: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }[];
}

export class EgressPolicyError extends Error {}

/** Parses `loopback,private,10.1.0.0/16`, `any` or `none`; throws EgressPolicyError. */
export function parseEgressPolicy(items: readonly string[]): EgressPolicy {
  const policy: EgressPolicy = { any: false, networks: [], cidrs: [] };
  for (const raw of items) {
    const item = raw.trim().toLowerCase();
    if (item === '' || item === 'none') continue;
    if (item === 'any') {
      policy.any = true;
      continue;
    }
    if ((NETWORK_NAMES as readonly string[]).includes(item)) {
      policy.networks.push(item as NetworkName);
      continue;
    }
    const m = /^([0-9a-f:.]+)\/(\d{1,3})$/.exec(item);
    const family = m ? isIP(m[1]!) : 0;
    const prefix = m ? Number(m[2]) : -1;
    if (!m || family === 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new EgressPolicyError(
        `"${raw}" is not one of any, none, ${NETWORK_NAMES.join(', ')} or a CIDR such as 10.1.0.0/16`,
      );
    }
    policy.cidrs.push({ address: m[1]!, prefix, family: family === 4 ? 'ipv4' : 'ipv6' });
  }
  return policy;
}

/** Raised when a connection would reach an address the policy refuses. */
export class EgressBlockedError extends Error {
  readonly address: string;
  constructor(host: string, address: string) {
    super(
      `egress to ${host === address ? address : `${host} (${address})`} is refused by the SSRF guard; allow it with LATCHKEY_EGRESS_ALLOW`,
    );
    this.name = 'EgressBlockedError';
    this.address = address;
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export interface SsrfGuard {
  /** True when the gateway may connect to this IP address. */
  allows(address: string): boolean;
  /** Throws EgressBlockedError for a URL whose host is a refused literal IP. */
  checkUrl(url: URL): void;
  /** `dns.lookup` with the policy applied to every resolved address (for net/tls connect). */
  lookup(hostname: string, options: LookupOptions, callback: LookupCallback): void;
}

export function createSsrfGuard(policy: EgressPolicy): SsrfGuard {
  const refused = new BlockList();
  const special = new BlockList();
  const allowed = new BlockList();
  for (const [address, prefix, family] of RANGES.reserved) refused.addSubnet(address, prefix, family);
  for (const name of NETWORK_NAMES) {
    for (const [address, prefix, family] of RANGES[name]) special.addSubnet(address, prefix, family);
  }
  for (const name of policy.networks) {
    for (const [address, prefix, family] of RANGES[name]) allowed.addSubnet(address, prefix, family);
  }
  for (const c of policy.cidrs) allowed.addSubnet(c.address, c.prefix, c.family);

  const allows = (input: string): boolean => {
    if (policy.any) return true;
    let address = input.startsWith('[') ? input.slice(1, -1) : input;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) address = mapped[1]!;
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (allowed.check(address, family)) return true;
    return !refused.check(address, family) && !special.check(address, family);
  };

  return {
    allows,
    checkUrl(url) {
      const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      if (isIP(host) !== 0 && !allows(host)) throw new EgressBlockedError(host, host);
    },
    lookup(hostname, options, callback) {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '');
        const list = addresses as LookupAddress[];
        const blocked = list.find((a) => !allows(a.address));
        if (blocked) return callback(new EgressBlockedError(hostname, blocked.address), '');
        if (options.all) return callback(null, list);
        const first = list[0];
        if (!first)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        callback(null, first.address, first.family);
      });
    },
  };
}
