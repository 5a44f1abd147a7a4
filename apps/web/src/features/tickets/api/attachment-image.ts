import { api } from '../../../lib/api';

/** An attachment's bytes as an object URL for an <img> (see api.blob); undefined when it cannot be read. The caller revokes the URL. */
export async function attachmentImageUrl(path: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    return URL.createObjectURL(await api.blob(path, signal));
  } catch {
    return undefined;
  }
}

/** Saves an attachment as a file the way a download link would, with the session's token (see api.blob). */
export async function downloadAttachment(path: string, filename: string): Promise<void> {
  const url = URL.createObjectURL(await api.blob(path));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // Revoked after the browser has taken the click; revoking at once can cancel the download.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
