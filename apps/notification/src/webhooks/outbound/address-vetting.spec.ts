import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../../libs/common/src/config/load-config.js';
import { NotificationConfig } from '../../notification.config.js';
import { EMPTY_ALLOW_LIST, parseAllowList, vetAddress } from './address-vetting.js';
import { checkWebhookUrl } from './webhook-url.js';

// Pure functions: nothing here opens a socket or asks a resolver.

const refusal = (address: string, allowList = EMPTY_ALLOW_LIST) => {
  const verdict = vetAddress(address, allowList);
  return verdict.allowed ? `allowed as ${verdict.address}` : verdict.reason;
};

describe('vetting an address', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
  ])('refuses the IPv4 address %s (%s)', (address, kind) => {
    expect(refusal(address)).toContain(kind);
  });

  it.each([
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['012.0.0.1', '10.0.0.1'],
    ['0', '0.0.0.0'],
  ])('reads the IPv4 spelling %s as %s and refuses it', (spelling, address) => {
    expect(refusal(spelling)).toMatch(new RegExp(`^${address.replaceAll('.', '\\.')} is `));
  });

  it.each([
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fe80::abcd%25en0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['::7f00:1', 'not a global unicast'],
    ['::10.0.0.1', '::a00:1 is not a global unicast'],
    ['::93.184.216.34', '::5db8:d822 is not a global unicast'],
    ['100::1', 'discard'],
    ['2001:db8::1', 'reserved'],
  ])('refuses the IPv6 address %s (%s)', (address, kind) => {
    expect(refusal(address)).toContain(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:0:192.168.1.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:c0a8:101::1', 'private'],
  ])('refuses %s, an IPv6 form of a refused IPv4 address (%s)', (address, kind) => {
    expect(refusal(address)).toMatch(new RegExp(`carries the IPv4 address .*${kind}`));
  });

  it('refuses the local-use NAT64 prefix and Teredo, which hide where they lead', () => {
    expect(refusal('64:ff9b:1::a00:1')).toContain('reserved for special use (rfc6052)');
    expect(refusal('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toContain('reserved for special use');
  });

  it.each(['93.184.216.34', '1.1.1.1', '8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:93.184.216.34', '64:ff9b::5db8:d822', '2002:5db8:d822::1'])(
    'allows the public address %s',
    (address) => {
      expect(refusal(address)).toMatch(/^allowed as /);
    },
  );

  it('answers the canonical address to connect to', () => {
    expect(vetAddress('2606:4700:0000:0000:0000:0000:0000:1111')).toEqual({ allowed: true, address: '2606:4700::1111' });
    expect(vetAddress('0x5d.184.216.34')).toEqual({ allowed: true, address: '93.184.216.34' });
  });

  it('refuses what is not an address at all', () => {
    expect(refusal('hooks.example.com')).toBe('"hooks.example.com" is not an IP address');
    expect(refusal('127.0.0.1.5')).toBe('"127.0.0.1.5" is not an IP address');
  });
});

describe('WEBHOOK_ALLOWED_HOSTS', () => {
  it('allows the listed addresses and ranges only, IPv4-mapped forms of them included', () => {
    const allowList = parseAllowList(['127.0.0.1', '10.20.0.0/16', 'fd00::/8', 'Receiver.Internal.']);
    expect(refusal('127.0.0.1', allowList)).toBe('allowed as 127.0.0.1');
    expect(refusal('::ffff:127.0.0.1', allowList)).toBe('allowed as ::ffff:7f00:1');
    expect(refusal('10.20.3.4', allowList)).toBe('allowed as 10.20.3.4');
    expect(refusal('fd00::5', allowList)).toBe('allowed as fd00::5');
    expect(refusal('127.0.0.2', allowList)).toContain('loopback');
    expect(refusal('10.21.0.1', allowList)).toContain('private');
    expect(refusal('169.254.169.254', allowList)).toContain('link-local');
    expect(allowList.hostNames).toEqual(new Set(['receiver.internal']));
  });

  it('refuses an entry that is neither a name, an address nor a CIDR, naming it', () => {
    expect(() => parseAllowList(['127.0.0.1', '10.0.0.0/33'])).toThrow('WEBHOOK_ALLOWED_HOSTS: "10.0.0.0/33" is not a valid CIDR');
    expect(() => parseAllowList(['receiver:8080'])).toThrow('"receiver:8080" is neither a host name, an IP address nor a CIDR');
    expect(() => parseAllowList(['http://receiver'])).toThrow('"http://receiver" is neither a host name, an IP address nor a CIDR');
  });

  it('is validated when the notification service reads its configuration', () => {
    const env = { NODE_ENV: 'test', SECRET_KEY: 'Zx8vQm2LrT5wYk9NpB4cHs7DjF1gAe6U3oIiKlMnOpQr' };
    const config = loadConfig(NotificationConfig, { ...env, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1, receiver.test,fd00::/8', WEBHOOK_ALLOW_HTTP: 'true' });
    expect(config.WEBHOOK_ALLOWED_HOSTS).toEqual(['127.0.0.1', 'receiver.test', 'fd00::/8']);
    expect(config.WEBHOOK_ALLOW_HTTP).toBe(true);
    expect(loadConfig(NotificationConfig, env)).toMatchObject({ WEBHOOK_ALLOWED_HOSTS: [], WEBHOOK_ALLOW_HTTP: false });
    expect(() => loadConfig(NotificationConfig, { ...env, WEBHOOK_ALLOWED_HOSTS: 'receiver.test,10.0.0.0/40' })).toThrow(
      /WEBHOOK_ALLOWED_HOSTS must be comma-separated host names, IP addresses or CIDRs: "10\.0\.0\.0\/40" is not a valid CIDR/,
    );
  });
});

describe('checking a webhook URL before anything is resolved', () => {
  const httpsOnly = { allowHttp: false, allowList: EMPTY_ALLOW_LIST };
  const reason = (url: string, policy = httpsOnly) => {
    const verdict = checkWebhookUrl(url, policy);
    return verdict.allowed ? 'allowed' : verdict.reason;
  };

  it('accepts https, and http only when WEBHOOK_ALLOW_HTTP is on', () => {
    expect(reason('https://hooks.example.com/helpdesk')).toBe('allowed');
    expect(reason('http://hooks.example.com/helpdesk')).toBe('webhook URLs must use https (http is turned off: WEBHOOK_ALLOW_HTTP)');
    expect(reason('http://hooks.example.com/helpdesk', { allowHttp: true, allowList: EMPTY_ALLOW_LIST })).toBe('allowed');
  });

  it.each([
    ['ftp://hooks.example.com/file', 'not ftp'],
    ['file:///etc/passwd', 'not file'],
    ['data:text/plain,hello', 'not data'],
    ['gopher://hooks.example.com:70/_', 'not gopher'],
    ['javascript:alert(1)', 'not javascript'],
  ])('refuses the scheme of %s', (url, expected) => {
    expect(reason(url)).toBe(`webhook URLs must use https, ${expected}`);
  });

  it('refuses credentials in the URL', () => {
    expect(reason('https://user:secret@hooks.example.com/')).toContain('must not carry credentials');
    expect(reason('https://user@hooks.example.com/')).toContain('must not carry credentials');
  });

  it('refuses what is not an absolute URL, an IPv6 zone id included', () => {
    expect(reason('hooks.example.com/path')).toBe('the webhook URL is not a valid absolute URL');
    expect(reason('https://[fe80::1%eth0]/')).toBe('the webhook URL is not a valid absolute URL');
    expect(reason('https://[fe80::1%25eth0]/')).toBe('the webhook URL is not a valid absolute URL');
  });

  it.each([
    ['https://2130706433/', '127.0.0.1', 'loopback'],
    ['https://0177.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://0x7f.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://127.1/', '127.0.0.1', 'loopback'],
    ['https://127.0.0.1./', '127.0.0.1', 'loopback'],
    ['https://%31%32%37.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://\u2460\u2461\u2466.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://0xa9fea9fe/', '169.254.169.254', 'link-local'],
    ['https://0300.0250.1.1/', '192.168.1.1', 'private'],
    ['https://[0:0:0:0:0:ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['https://[::ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe', 'link-local'],
    ['https://[64:ff9b::7f00:1]/', '64:ff9b::7f00:1', 'loopback'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['https://0/', '0.0.0.0', 'unspecified'],
    ['https://[::1]/', '::1', 'loopback'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['https://[fc00::1]:8443/', 'fc00::1', 'unique local'],
  ])('refuses %s: the parser normalizes it to %s before vetting', (url, address, kind) => {
    expect(reason(url)).toMatch(new RegExp(`^the webhook URL's host ${address.replaceAll('.', '\\.')} .*${kind}`));
  });

  it('accepts a literal address listed in WEBHOOK_ALLOWED_HOSTS, and answers it as the address to connect to', () => {
    const verdict = checkWebhookUrl('http://0x7f.1:8080/hook', { allowHttp: true, allowList: parseAllowList(['127.0.0.0/8']) });
    expect(verdict).toMatchObject({ allowed: true, hostName: '127.0.0.1', address: '127.0.0.1' });
  });
});
