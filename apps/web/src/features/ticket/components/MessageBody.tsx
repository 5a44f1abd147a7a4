import { Box } from '@mantine/core';
import { useEffect, useMemo, useRef } from 'react';
import { attachmentImageUrl } from '../../tickets/api/attachment-image';

// The only image the ticket service's sanitizer keeps: one of the platform's attachments (an inline image of a mail).
const ATTACHMENT_IMAGE = /<img src="(\/api\/v1\/attachments\/[0-9a-f-]{36})"/g;

/**
 * A description or comment, sanitized by the ticket service on write (DESIGN section 8). Inline
 * images are held back (data-attachment-src, which no stored body can carry: the sanitizer drops
 * data attributes) and shown once loaded with the session's token; one that fails shows its alt text.
 */
export function MessageBody({ html }: { html: string }) {
  const container = useRef<HTMLDivElement>(null);
  const deferred = useMemo(() => html.replace(ATTACHMENT_IMAGE, '<img data-attachment-src="$1"'), [html]);

  useEffect(() => {
    const images = [...(container.current?.querySelectorAll<HTMLImageElement>('img[data-attachment-src]') ?? [])];
    if (images.length === 0) return undefined;
    const controller = new AbortController();
    const urls: string[] = [];
    for (const image of images) {
      attachmentImageUrl(image.dataset.attachmentSrc!, controller.signal)
        .then((url) => {
          if (!url) return;
          urls.push(url);
          image.src = url;
        })
        .catch(() => undefined);
    }
    return () => {
      controller.abort();
      for (const url of urls) URL.revokeObjectURL(url);
    };
  }, [deferred]);

  return <Box ref={container} className="message-body" fz="sm" style={{ overflowWrap: 'anywhere' }} dangerouslySetInnerHTML={{ __html: deferred }} />;
}
