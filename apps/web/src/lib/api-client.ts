import { apiErrorFrom, NetworkError } from './api-error';

/** What login, signup, accept-invite and refresh answer; the refresh token in it is ignored (the httpOnly cookie carries it). */
export interface SessionReply {
  accessToken: string;
  expiresIn: number;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** false for the anonymous auth endpoints: no bearer token, and a 401 is the answer, not a reason to refresh. */
  authenticated?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

type Listener = () => void;

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
}

const REFRESH_PATH = '/api/v1/auth/refresh';
/** Renew a minute before the access token expires, so sockets and requests never carry an expired one. */
const RENEW_MARGIN_MS = 60_000;

/**
 * The one client every API call goes through: it holds the access token in memory only, sends it
 * as a bearer token, turns error bodies into ApiError, and on a 401 refreshes once (from the
 * httpOnly cookie, one refresh at a time) and retries. When the refresh fails the session is over.
 */
export function createApiClient({ baseUrl = '', fetch: fetchImpl = (...args) => globalThis.fetch(...args) }: ApiClientOptions = {}) {
  let accessToken: string | null = null;
  let refreshing: Promise<boolean> | null = null;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  const tokenListeners = new Set<Listener>();
  const endedListeners = new Set<Listener>();

  function setSession(session: SessionReply | null): void {
    accessToken = session?.accessToken ?? null;
    clearTimeout(renewTimer);
    if (session) renewTimer = setTimeout(() => void refresh(), Math.max(5_000, session.expiresIn * 1000 - RENEW_MARGIN_MS));
    for (const listener of tokenListeners) listener();
  }

  function endSession(): void {
    const hadSession = accessToken !== null;
    setSession(null);
    if (hadSession) for (const listener of endedListeners) listener();
  }

  async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      return await fetchImpl(`${baseUrl}${path}`, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        credentials: 'same-origin',
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new NetworkError(error);
    }
  }

  async function readBody(response: Response): Promise<unknown> {
    if (response.status === 204) return undefined;
    const text = await response.text();
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  /** Exchanges the refresh cookie for a new access token; concurrent callers share one request. */
  function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        const response = await send(REFRESH_PATH, { method: 'POST', body: {} }, null);
        if (!response.ok) {
          // 401/403: no valid cookie, the session is over. Anything else (429, 503) keeps the current state.
          if (response.status === 401 || response.status === 403) endSession();
          return false;
        }
        setSession((await readBody(response)) as SessionReply);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  /** Sends with the access token; a 401 refreshes once and retries. */
  async function sendAuthorized(path: string, options: RequestOptions): Promise<Response> {
    const authenticated = options.authenticated ?? true;
    let response = await send(path, options, authenticated ? accessToken : null);
    if (response.status === 401 && authenticated) {
      if (await refresh()) response = await send(path, options, accessToken);
      else endSession();
    }
    return response;
  }

  async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const response = await sendAuthorized(path, options);
    const body = await readBody(response);
    if (!response.ok) throw apiErrorFrom(response.status, body, response.headers);
    return { data: body as T, headers: response.headers, status: response.status };
  }

  return {
    request,
    /** The JSON body only. */
    async call<T>(path: string, options?: RequestOptions): Promise<T> {
      return (await request<T>(path, options)).data;
    },
    /**
     * A file's bytes (an attachment): the gateway reads the token from the Authorization header only,
     * which a link or an <img src> cannot send, so the console fetches them and shows an object URL.
     */
    async blob(path: string, signal?: AbortSignal): Promise<Blob> {
      const response = await sendAuthorized(path, { signal, headers: { accept: '*/*' } });
      if (!response.ok) throw apiErrorFrom(response.status, await readBody(response), response.headers);
      return response.blob();
    },
    refresh,
    setSession,
    /** Forgets the token locally (after logout). */
    clearSession: () => setSession(null),
    getAccessToken: () => accessToken,
    onTokenChange(listener: Listener) {
      tokenListeners.add(listener);
      return () => void tokenListeners.delete(listener);
    },
    /** A request or refresh found the session gone (expired, revoked, logged out elsewhere). */
    onSessionEnded(listener: Listener) {
      endedListeners.add(listener);
      return () => void endedListeners.delete(listener);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
