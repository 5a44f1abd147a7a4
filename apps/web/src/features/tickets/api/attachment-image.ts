import { api } from '../../../lib/api';

/**
 * An attachment's bytes as an object URL for an <img>: the gateway reads the access token from the
 * Authorization header only, which an <img src> cannot send. The caller revokes the URL.
 */
export async function attachmentImageUrl(path: string, signal: AbortSignal): Promise<string | undefined> {
  const token = api.getAccessToken();
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, credentials: 'same-origin', signal });
  return response.ok ? URL.createObjectURL(await response.blob()) : undefined;
}
