import { Transform } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { EnvInt, Secret, ServiceConfig } from '@helpdesk/common';

export class AiProxyConfig extends ServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  AI_PROXY_PORT = 8084;

  /**
   * Base URL of an OpenAI-compatible API (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp), e.g.
   * https://api.openai.com/v1; `/chat/completions` is appended. Empty: the built-in offline provider.
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'AI_PROVIDER_URL must be an http:// or https:// URL' })
  AI_PROVIDER_URL?: string;

  /** Sent as `Authorization: Bearer`; some local servers need none. */
  @IsOptional()
  @Secret()
  @IsString()
  AI_API_KEY?: string;

  /** Model to request from AI_PROVIDER_URL (required with it). */
  @ValidateIf((config: AiProxyConfig) => Boolean(config.AI_PROVIDER_URL))
  @MaxLength(200)
  @Matches(/^\S+$/, { message: 'AI_MODEL must be set (without spaces) when AI_PROVIDER_URL is' })
  @IsString()
  AI_MODEL?: string;

  /** Longest wait for one provider answer; a slower one fails with TIMEOUT. */
  @EnvInt()
  @Min(100)
  @Max(55_000)
  @IsInt()
  AI_TIMEOUT_MS = 20_000;

  /** Retries of a provider call answered with 429 or 5xx (or a network error). */
  @EnvInt()
  @Min(0)
  @Max(5)
  @IsInt()
  AI_MAX_RETRIES = 2;

  /** Consecutive failed provider calls after which the circuit opens and calls fail fast. */
  @EnvInt()
  @Min(1)
  @Max(100)
  @IsInt()
  AI_CIRCUIT_FAILURE_THRESHOLD = 5;

  /** How long an open circuit fails fast before one trial call is let through. */
  @EnvInt()
  @Min(100)
  @Max(600_000)
  @IsInt()
  AI_CIRCUIT_OPEN_MS = 30_000;

  /** Tokens (prompt + completion) each organization may spend per UTC day on the external provider. */
  @EnvInt()
  @Min(1)
  @IsInt()
  AI_DAILY_TOKEN_BUDGET = 200_000;

  /**
   * Fraction of the daily budget kept for background triage of new tickets; agents' summaries and
   * reply suggestions get the rest. Neither part can spend the other's.
   */
  @Transform(({ value }) => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value))
  @Min(0)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  AI_TRIAGE_BUDGET_SHARE = 0.5;

  /** Most tokens one request may reserve: its prompt plus its completion allowance. */
  @EnvInt()
  @Min(100)
  @IsInt()
  AI_MAX_REQUEST_TOKENS = 16_000;

  /** Longest answer asked of the model (`max_tokens`), reserved in full before each call. */
  @EnvInt()
  @Min(16)
  @IsInt()
  AI_MAX_COMPLETION_TOKENS = 1_000;

  /** How long an answer of the external provider is served again for an identical request. */
  @EnvInt()
  @Min(0)
  @Max(30 * 24 * 3_600)
  @IsInt()
  AI_CACHE_TTL_SECONDS = 86_400;
}
