import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { DIRECTORY_LIMITS } from '@helpdesk/contracts';
import { EnvBoolean, EnvInt, EnvList, Secret, ServiceConfig } from '@helpdesk/common';
import { defaultWebRoot } from './web/web-root.js';

/**
 * The public NATS server's keys (issuing and revoking integrations' credentials) go together, and
 * production needs them with INTEGRATIONS_NATS_URL; outside production the public server may be used
 * for commands and events alone.
 */
function integrationsNatsKeysRequired(config: GatewayConfig): boolean {
  if (config.INTEGRATIONS_NATS_URL === undefined) return false;
  if (config.NODE_ENV === 'production') return true;
  return config.INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED !== undefined || config.INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED !== undefined || config.INTEGRATIONS_NATS_SYSTEM_CREDS_FILE !== undefined;
}

export class GatewayConfig extends ServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  GATEWAY_PORT = 8080;

  /** Signs access tokens (HS256). */
  @Secret()
  @MinLength(16)
  @IsString()
  SECRET_KEY!: string;

  /** Host names the public API answers to; enforced on the Host header in production. */
  @EnvList()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsArray()
  ALLOWED_HOSTS: string[] = [];

  /** Browser origins allowed to call the API cross-origin. */
  @EnvList()
  @ArrayMaxSize(100)
  @Matches(/^https?:\/\/[^\s/]+$/, { each: true, message: 'CORS_ALLOWED_ORIGINS must be origins such as https://help.example.com' })
  @IsArray()
  CORS_ALLOWED_ORIGINS: string[] = [];

  /** Origins whose cookie-authenticated requests (the refresh cookie) are accepted. */
  @EnvList()
  @ArrayMaxSize(100)
  @Matches(/^https?:\/\/[^\s/]+$/, { each: true, message: 'CSRF_TRUSTED_ORIGINS must be origins such as https://help.example.com' })
  @IsArray()
  CSRF_TRUSTED_ORIGINS: string[] = [];

  /** Whether anyone may create an organization through POST /auth/signup; off unless asked for, as an open signup is a spam relay. */
  @EnvBoolean()
  @IsBoolean()
  SIGNUP_ENABLED = false;

  /** Public address of the web console, used in links sent by mail. */
  @Matches(/^https?:\/\/[^\s]+[^/\s]$/, { message: 'APP_BASE_URL must be an http(s) URL without a trailing slash' })
  APP_BASE_URL = 'http://localhost:8080';

  @EnvInt()
  @Min(60)
  @Max(3_600)
  @IsInt()
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_ANON_PER_HOUR = 100;

  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_AUTH_PER_HOUR = 1_000;

  /** Failed logins per (IP, email) pair. */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_LOGIN_PER_MINUTE = 5;

  /** Failed logins per IP whatever the email, against credential stuffing; wide enough for an office behind one NAT. */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE = 60;

  /** Failed token refreshes (invalid, expired or reused tokens) per IP; successful ones are not counted. */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_REFRESH_FAILURES_PER_IP_PER_MINUTE = 30;

  /**
   * Wrong inbound tokens at POST /inbound/email/:mailboxId per client address and mailbox, per minute;
   * beyond it that mailbox answers that address 429 until the minute ends. Accepted mail is never counted.
   */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_MINUTE = 10;

  /** Wrong inbound tokens per client address whatever the mailbox (unknown mailbox ids included), per minute. */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_IP_PER_MINUTE = 60;

  /** Unknown, revoked or expired API tokens per client address per minute; over it, tokens from there are refused before their lookup. */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_API_TOKEN_FAILURES_PER_IP_PER_MINUTE = 30;

  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_PASSWORD_RESET_PER_HOUR = 3;

  /** Password-reset requests (so reset mails) per email address, whoever asks: a mailbox cannot be flooded from many addresses. */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_PASSWORD_RESET_PER_EMAIL_PER_HOUR = 3;

  /** Attachment uploads per user per hour, apart from the general request limit (each writes up to MAX_UPLOAD_BYTES). */
  @EnvInt()
  @Min(1)
  @IsInt()
  ATTACHMENT_UPLOADS_PER_USER_PER_HOUR = 100;

  /** Attachment uploads per organization per hour, all its users together. */
  @EnvInt()
  @Min(1)
  @IsInt()
  ATTACHMENT_UPLOADS_PER_ORG_PER_HOUR = 1_000;

  /** Proxies in front of the gateway whose X-Forwarded-For is believed: "false", "true", a hop count, or comma-separated addresses/CIDRs. */
  @IsString()
  TRUST_PROXY = 'false';

  /** Whether /api/docs, /api/docs-json and /api/asyncapi.json are served. */
  @EnvBoolean()
  @IsBoolean()
  API_DOCS_ENABLED = true;

  /** Largest JSON body accepted; uploads have their own 10 MB limit. */
  @EnvInt()
  @Min(1_024)
  @Max(10 * 1024 * 1024)
  @IsInt()
  MAX_JSON_BODY_BYTES = 1_048_576;

  /** Largest attachment accepted; the ticket service refuses metadata of larger files, so it caps this too. */
  @EnvInt()
  @Min(1)
  @Max(DIRECTORY_LIMITS.attachmentBytes)
  @IsInt()
  MAX_UPLOAD_BYTES = 10_485_760;

  /** JetStream object store bucket holding attachment bytes; created on first use, on file storage. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'ATTACHMENTS_BUCKET must be 1-64 letters, digits, "_" or "-"' })
  @IsString()
  ATTACHMENTS_BUCKET = 'helpdesk-attachments';

  /** Copies of the object store buckets (attachments, inbound mail) kept by the NATS cluster: 1 for a single server, 3 on a cluster. Same value in the gateway and notification services. */
  @EnvInt()
  @Min(1)
  @Max(5)
  @IsInt()
  OBJECT_STORE_REPLICAS = 1;

  /**
   * Most bytes the attachment bucket may hold (its JetStream max_bytes), so that it cannot fill the
   * JetStream storage the HELPDESK_EVENTS stream shares with it. Keep it, plus the stream's
   * EVENTS_STREAM_MAX_BYTES, under the NATS server's max_file_store.
   */
  @EnvInt()
  @Min(1_048_576)
  @IsInt()
  ATTACHMENT_STORE_MAX_BYTES = 10_737_418_240;

  /**
   * Largest raw message accepted by `POST /api/v1/inbound/email/:mailboxId` (413 beyond), stored whole
   * in the `inbound-mail` object store bucket; 25 MB by default, as the inbound SMTP listener's limit.
   */
  @EnvInt()
  @Min(1_024)
  @Max(100 * 1024 * 1024)
  @IsInt()
  INBOUND_MAX_BYTES = 26_214_400;

  /** Directory holding the built web console (index.html and assets/); unset: the repository's dist/web (/app/dist/web in the image). */
  @IsString()
  WEB_ROOT = defaultWebRoot();

  /**
   * A signing key of the public NATS server's INTEGRATIONS account (`npm run nats:public-keys`), also every
   * organization account's: signs each integration's NATS user and the organizations' activation tokens. The three INTEGRATIONS_NATS_* keys below go together: with INTEGRATIONS_NATS_URL
   * and without them, no credentials can be issued (allowed outside production only).
   */
  @Secret()
  @ValidateIf(integrationsNatsKeysRequired)
  @Matches(/^SA[A-Z2-7]{56}$/, { message: 'INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED must be an account seed (SA..., 58 characters) from npm run nats:public-keys; it is required with INTEGRATIONS_NATS_URL in production and with the other INTEGRATIONS_NATS_* keys' })
  INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED?: string;

  /**
   * A signing key of the public NATS server's operator: signs each organization's account JWT (made on first
   * use, signed again when an integration's credentials are revoked); organization accounts' keys derive from it.
   */
  @Secret()
  @ValidateIf(integrationsNatsKeysRequired)
  @Matches(/^SO[A-Z2-7]{56}$/, { message: 'INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED must be an operator seed (SO..., 58 characters) from npm run nats:public-keys; it is required with INTEGRATIONS_NATS_URL in production and with the other INTEGRATIONS_NATS_* keys' })
  INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED?: string;

  /** A `.creds` file of a system account user of the public NATS server: pushes the organizations' account JWTs. */
  @ValidateIf(integrationsNatsKeysRequired)
  @IsString({ message: 'INTEGRATIONS_NATS_SYSTEM_CREDS_FILE must be the path of the public NATS server\'s system user .creds file; it is required with INTEGRATIONS_NATS_URL in production and with the other INTEGRATIONS_NATS_* keys' })
  INTEGRATIONS_NATS_SYSTEM_CREDS_FILE?: string;

  /**
   * Realtime service that /socket.io (WebSocket upgrade included) is proxied to, so the console's
   * sockets stay on the gateway's origin. For local runs and single-host deployments; in Kubernetes
   * the Ingress routes /socket.io to realtime instead. Unset: /socket.io is not served here.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'REALTIME_PROXY_URL must be an http(s) URL such as http://127.0.0.1:8083' })
  REALTIME_PROXY_URL?: string;

  /**
   * The public NATS server integrations connect to (docs/integrations.md), a server apart from the
   * platform's own. The gateway answers public commands there and mints integrations' credentials.
   * Unset: the public NATS interface is off (POST /api/v1/integrations/nats answers 503).
   */
  @IsOptional()
  @Matches(/^(nats|tls|wss?):\/\/[^\s,]+(,(nats|tls|wss?):\/\/[^\s,]+)*$/, { message: 'INTEGRATIONS_NATS_URL must be one or more nats://, tls:// or ws(s):// URLs separated by commas' })
  @IsString()
  INTEGRATIONS_NATS_URL?: string;

  /** The gateway's own user on the public NATS server (the INTEGRATIONS account's bridge user, `npm run nats:public-keys`), as a `.creds` file. Unset: connect without credentials (a local server without authentication). */
  @IsOptional()
  @IsString()
  INTEGRATIONS_NATS_CREDS_FILE?: string;

  /** The public NATS server's address as integrations reach it (shown with their credentials), when it differs from INTEGRATIONS_NATS_URL (an in-cluster address). */
  @IsOptional()
  @Matches(/^(nats|tls|wss?):\/\/[^\s,]+(,(nats|tls|wss?):\/\/[^\s,]+)*$/, { message: 'INTEGRATIONS_NATS_ADVERTISED_URL must be one or more nats://, tls:// or ws(s):// URLs separated by commas' })
  @IsString()
  INTEGRATIONS_NATS_ADVERTISED_URL?: string;
}
