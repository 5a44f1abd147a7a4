import ipaddr from 'ipaddr.js';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * WEBHOOK_ALLOWED_HOSTS parsed: host names whose every address is accepted, and address ranges
 * accepted even where they fall in a refused range (how tests and on-prem installs reach local receivers).
 */
export interface WebhookAllowList {
  readonly hostNames: ReadonlySet<string>;
  readonly ranges: ReadonlyArray<readonly [IpAddress, number]>;
}

export const EMPTY_ALLOW_LIST: WebhookAllowList = { hostNames: new Set(), ranges: [] };

export type AddressVerdict = { allowed: true; address: string } | { allowed: false; reason: string };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Lower case without the root's trailing dot: `Hooks.Example.` and `hooks.example` are one host. */
export function normalizeHostName(hostName: string): string {
  return hostName.toLowerCase().replace(/\.$/, '');
}

/** Why one WEBHOOK_ALLOWED_HOSTS entry is not a host name, an IP address or a CIDR; undefined when it is one. */
export function allowListEntryProblem(entry: string): string | undefined {
  if (/^[\d.a-f:]+\/\d+$/i.test(entry)) return ipaddr.isValidCIDR(entry) ? undefined : `"${entry}" is not a valid CIDR (e.g. 127.0.0.0/8 or fd00::/8)`;
  if (ipaddr.isValid(entry)) return undefined;
  return HOST_NAME.test(normalizeHostName(entry)) ? undefined : `"${entry}" is neither a host name, an IP address nor a CIDR`;
}

export function parseAllowList(entries: readonly string[]): WebhookAllowList {
  const hostNames = new Set<string>();
  const ranges: Array<readonly [IpAddress, number]> = [];
  for (const entry of entries.map((value) => value.trim()).filter((value) => value.length > 0)) {
    const problem = allowListEntryProblem(entry);
    if (problem) throw new Error(`WEBHOOK_ALLOWED_HOSTS: ${problem}`);
    if (ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.process(entry);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else hostNames.add(normalizeHostName(entry));
  }
  return { hostNames, ranges };
}

export function isHostNameAllowed(hostName: string, allowList: WebhookAllowList): boolean {
  return allowList.hostNames.has(normalizeHostName(hostName));
}

/** ipaddr.js's range names, said the way a refusal message should. */
const RANGE_DESCRIPTIONS: Record<string, string> = {
  unspecified: 'an unspecified ("this network") address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (cloud metadata services live there)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address',
  uniqueLocal: 'a unique local address (fc00::/7)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
};

const GLOBAL_UNICAST_IPV6 = ipaddr.parseCIDR('2000::/3');

/**
 * Whether an outbound connection may go to this address: only public unicast addresses, unless
 * WEBHOOK_ALLOWED_HOSTS lists a range holding it. Accepts any spelling ipaddr.js parses (decimal,
 * octal, hex and short IPv4, IPv6 with a zone id) and answers with the canonical address.
 */
export function vetAddress(address: string, allowList: WebhookAllowList = EMPTY_ALLOW_LIST): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: `"${address}" is not an IP address` };
  const parsed = ipaddr.parse(withoutDottedTail(address));
  const canonical = parsed.toString();
  if (isInAllowedRange(parsed, allowList)) return { allowed: true, address: canonical };
  const refusal = refusalOf(parsed);
  return refusal ? { allowed: false, reason: refusal } : { allowed: true, address: canonical };
}

/**
 * ipaddr.js reads any `::a.b.c.d` as IPv4-mapped (`::ffff:a.b.c.d`), another address; the WHATWG
 * parser writes a dotted tail in hex exactly (`::10.0.0.1` is `::a00:1`). Zone ids, which it refuses, have no such form to fix.
 */
function withoutDottedTail(address: string): string {
  if (!address.includes(':') || !address.includes('.') || address.includes('%')) return address;
  const bracketed = `[${address}]`;
  return URL.canParse(`http://${bracketed}/`) ? new URL(`http://${bracketed}/`).hostname.slice(1, -1) : address;
}

function isInAllowedRange(address: IpAddress, allowList: WebhookAllowList): boolean {
  // An IPv4-mapped IPv6 address is matched as the IPv4 address it maps, so 127.0.0.1 also allows ::ffff:127.0.0.1.
  const candidates = address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? [address, (address as ipaddr.IPv6).toIPv4Address()] : [address];
  return allowList.ranges.some(([base, prefix]) => candidates.some((candidate) => candidate.kind() === base.kind() && candidate.match(base, prefix)));
}

function refusalOf(address: IpAddress): string | undefined {
  const range = address.range();
  if (address.kind() === 'ipv4') return range === 'unicast' ? undefined : `${address} is ${describe(range)}`;
  const ipv6 = address as ipaddr.IPv6;
  const embedded = embeddedIpv4(ipv6, range);
  if (embedded) {
    const inner = refusalOf(embedded);
    return inner ? `${address} carries the IPv4 address ${embedded} (${range}): ${inner}` : undefined;
  }
  if (range !== 'unicast') return `${address} is ${describe(range)}`;
  // Outside 2000::/3 nothing is routable on the internet (IPv4-compatible ::a.b.c.d included).
  return ipv6.match(GLOBAL_UNICAST_IPV6) ? undefined : `${address} is not a global unicast IPv6 address`;
}

/** The IPv4 address an IPv6 transition form reaches: mapped, translated (RFC 6145), NAT64 (64:ff9b::/96) and 6to4. */
function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return new ipaddr.IPv4(bytes.slice(12, 16));
    case 'rfc6052':
      // Only the well-known prefix embeds an address at a fixed place; 64:ff9b:1::/48 is for local use and stays refused.
      return address.match(ipaddr.parseCIDR('64:ff9b::/96')) ? new ipaddr.IPv4(bytes.slice(12, 16)) : undefined;
    case '6to4':
      return new ipaddr.IPv4(bytes.slice(2, 6));
    default:
      return undefined;
  }
}

function describe(range: string): string {
  return RANGE_DESCRIPTIONS[range] ?? `reserved for special use (${range})`;
}
