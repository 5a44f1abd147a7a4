import ipaddr from 'ipaddr.js';
import { isHostNameAllowed, vetAddress, type WebhookAllowList } from './address-vetting.js';

export interface WebhookUrlPolicy {
  /** WEBHOOK_ALLOW_HTTP: plain http accepted besides https. */
  allowHttp: boolean;
  allowList: WebhookAllowList;
}

export interface AcceptedWebhookUrl {
  allowed: true;
  url: URL;
  /** The host as a resolver or a socket wants it: IPv6 literals without their brackets. */
  hostName: string;
  /** Set when the host is an IP literal (already vetted): nothing to resolve. */
  address?: string;
}

export type WebhookUrlVerdict = AcceptedWebhookUrl | { allowed: false; reason: string };

/**
 * The checks a URL passes before anything is resolved: scheme, no credentials, and an IP literal
 * host vetted as it is. Answers the reason a 400 should give. The WHATWG parser has already turned
 * decimal, octal, hex and short IPv4 spellings (2130706433, 0177.0.0.1, 0x7f.0.0.1, 127.1) into
 * the dotted address, so the literal vetted is the address a socket would reach.
 */
export function checkWebhookUrl(rawUrl: string, policy: WebhookUrlPolicy): WebhookUrlVerdict {
  if (!URL.canParse(rawUrl)) return { allowed: false, reason: 'the webhook URL is not a valid absolute URL' };
  const url = new URL(rawUrl);
  if (url.protocol === 'http:' && !policy.allowHttp) return { allowed: false, reason: 'webhook URLs must use https (http is turned off: WEBHOOK_ALLOW_HTTP)' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { allowed: false, reason: `webhook URLs must use https${policy.allowHttp ? ' or http' : ''}, not ${url.protocol.slice(0, -1)}` };
  }
  if (url.username || url.password) return { allowed: false, reason: 'webhook URLs must not carry credentials (user:password@); sign deliveries with the webhook secret instead' };
  const hostName = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!ipaddr.isValid(hostName)) return { allowed: true, url, hostName };
  if (isHostNameAllowed(hostName, policy.allowList)) return { allowed: true, url, hostName, address: hostName };
  const verdict = vetAddress(hostName, policy.allowList);
  return verdict.allowed ? { allowed: true, url, hostName, address: verdict.address } : { allowed: false, reason: `the webhook URL's host ${verdict.reason}` };
}
