import type { Principal } from './principal.js';

/** API tokens (DESIGN section 16): what a script's token may do, each scope granting one family of routes. */
export const API_TOKEN_SCOPES = ['tickets:read', 'tickets:write', 'users:read', 'users:write', 'admin'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** Every API token starts so: the gateway tells them from access tokens (JWTs) by it. */
export const API_TOKEN_PREFIX = 'hdp_';
/** `hdp_` and 32 random bytes in base64url: anything else is refused without a lookup. */
export const API_TOKEN_PATTERN = /^hdp_[A-Za-z0-9_-]{43}$/;

export const API_TOKEN_LIMITS = { name: 100 } as const;

/** A token as listed: never the secret nor its hash; `prefix` is its first characters, to recognise it. */
export interface ApiTokenView {
  id: string;
  name: string;
  scopes: ApiTokenScope[];
  prefix: string;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** The answer to a creation: the only time `token` is shown. */
export interface CreatedApiTokenView {
  id: string;
  name: string;
  scopes: ApiTokenScope[];
  expiresAt: string | null;
  token: string;
}

/** What the gateway learns from a valid token: it acts as its creator (with their current role), limited by its scopes. */
export interface VerifiedApiToken {
  principal: Principal;
  tokenId: string;
  name: string;
  scopes: ApiTokenScope[];
}
