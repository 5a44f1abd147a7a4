import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

const LOOPBACK_V4 = ipaddr.parseCIDR('127.0.0.0/8');

function outsideLoopback(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.parse(address);
  return parsed.kind() !== 'ipv4' || !parsed.match(LOOPBACK_V4);
}

export interface ConnectGuard {
  /** Connection attempts stopped because they would have left 127.0.0.0/8, emptied as they are read. */
  takeViolations(): string[];
  restore(): void;
}

/**
 * Every TCP connection of this process (net, http, https, tls all go through net.Socket#connect)
 * is checked before a packet leaves: an IP outside 127.0.0.0/8 throws, and a host name's lookup
 * answers an error instead of such an address. Stopped attempts are kept so a test can fail on them.
 */
export function guardLoopbackOnly(): ConnectGuard {
  const violations: string[] = [];
  const original = net.Socket.prototype.connect;
  const refuse = (target: string) => {
    violations.push(target);
    return new Error(`connect guard: a connection to ${target} would leave 127.0.0.0/8`);
  };
  const guardedLookup =
    (lookup: LookupFunction): LookupFunction =>
    (hostName, options, callback) =>
      lookup(hostName, options, (error, address, family) => {
        if (error) return callback(error, address, family);
        const addresses = Array.isArray(address) ? address.map((entry: LookupAddress) => entry.address) : [address];
        const outside = addresses.find(outsideLoopback);
        if (outside !== undefined) return callback(refuse(`${outside} (${hostName})`), address, family);
        callback(null, address, family);
      });

  function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    // net.connect hands over [options, callback] already normalized; Socket#connect also takes (options), (port, host?) and (path).
    const normalized = Array.isArray(args[0]) ? (args[0] as unknown[]) : undefined;
    let options = (normalized ? normalized[0] : args[0]) as (net.TcpNetConnectOpts & net.IpcNetConnectOpts) | number | string;
    if (typeof options !== 'object') {
      if (typeof options === 'string' && !/^\d+$/.test(options)) return original.apply(this, args as never);
      options = { port: Number(options), host: typeof args[1] === 'string' ? args[1] : 'localhost' } as net.TcpNetConnectOpts & net.IpcNetConnectOpts;
      args = [options, ...args.slice(1).filter((arg) => typeof arg === 'function')];
    }
    if (options.path) return original.apply(this, args as never);
    const host = options.host ?? 'localhost';
    if (net.isIP(host)) {
      if (outsideLoopback(host)) throw refuse(host);
    } else {
      options.lookup = guardedLookup(options.lookup ?? (systemLookup as LookupFunction));
    }
    return original.apply(this, args as never);
  }

  net.Socket.prototype.connect = guardedConnect as typeof original;
  return {
    takeViolations: () => violations.splice(0),
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
}
