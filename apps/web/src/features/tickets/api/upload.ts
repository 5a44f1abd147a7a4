import type { AttachmentView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { apiErrorFrom, NetworkError } from '../../../lib/api-error';

/**
 * XMLHttpRequest rather than fetch: fetch reports no upload progress. Goes through the same
 * token and error envelope as the API client, and refreshes once on a 401.
 */
export function uploadAttachment(ticketId: string, file: File, onProgress: (fraction: number) => void, commentId?: string): Promise<AttachmentView> {
  const attempt = () =>
    new Promise<{ status: number; body: unknown; headers: { get(name: string): string | null } }>((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', `/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments`);
      const token = api.getAccessToken();
      if (token) request.setRequestHeader('authorization', `Bearer ${token}`);
      request.setRequestHeader('accept', 'application/json');
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      request.onload = () => {
        let body: unknown = request.responseText;
        try {
          body = JSON.parse(request.responseText) as unknown;
        } catch {
          // Not JSON (a proxy's page): keep the text.
        }
        resolve({ status: request.status, body, headers: { get: (name) => request.getResponseHeader(name) } });
      };
      request.onerror = () => reject(new NetworkError(new Error('upload failed')));
      const form = new FormData();
      if (commentId) form.append('commentId', commentId);
      form.append('file', file);
      request.send(form);
    });
  return (async () => {
    let answer = await attempt();
    if (answer.status === 401 && (await api.refresh())) answer = await attempt();
    if (answer.status < 200 || answer.status >= 300) throw apiErrorFrom(answer.status, answer.body, answer.headers);
    onProgress(1);
    return answer.body as AttachmentView;
  })();
}
