import { Anchor, Badge, Box, Group, Paper, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { AttachmentView, CommentView, TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { formatBytes, formatDateTime } from '../../../lib/format';
import { downloadAttachment } from '../../tickets/api/attachment-image';
import { attachmentUrl } from '../../tickets/api/tickets';
import { describeError } from '../../../lib/errors';
import { LockMark } from './LockMark';
import { MessageBody } from './MessageBody';

/** Internal notes: tinted background, lock mark and label, so they are never mistaken for what the requester sees. */
export const NOTE_TINT = 'var(--mantine-color-yellow-light)';

function Attachments({ items }: { items: AttachmentView[] }) {
  if (!items.length) return null;
  return (
    <Group gap="xs" mt="xs">
      {items.map((attachment) => (
        <Anchor
          key={attachment.id}
          href={attachmentUrl(attachment.id)}
          size="xs"
          download={attachment.filename}
          onClick={(event) => {
            // The link alone would go without the access token (401): fetch with it and save the bytes.
            event.preventDefault();
            downloadAttachment(attachmentUrl(attachment.id), attachment.filename).catch((error: unknown) => notifications.show({ color: 'red', message: describeError(error) }));
          }}
        >
          {attachment.filename} ({formatBytes(attachment.size)})
        </Anchor>
      ))}
    </Group>
  );
}

function Message({ comment, author, attachments }: { comment: Pick<CommentView, 'body' | 'internal' | 'createdAt'> & { id: string }; author: string; attachments: AttachmentView[] }) {
  return (
    <Paper
      component="article"
      withBorder
      p="sm"
      bg={comment.internal ? NOTE_TINT : undefined}
      aria-label={`${comment.internal ? t.ticket.internalNote : t.ticket.publicReply} ${t.ticket.by(author)}`}
      data-internal={comment.internal || undefined}
      style={comment.internal ? { borderLeft: '4px solid var(--mantine-color-yellow-6)' } : undefined}
    >
      <Group justify="space-between" gap="xs" mb={4}>
        <Group gap={6}>
          <Text size="sm" fw={600}>
            {author}
          </Text>
          {comment.internal ? (
            <Badge color="yellow" variant="filled" size="sm" leftSection={<LockMark size={11} />} c="dark">
              {t.ticket.internalNote}
            </Badge>
          ) : null}
        </Group>
        <Text size="xs" c="dimmed">
          {formatDateTime(comment.createdAt)}
        </Text>
      </Group>
      <MessageBody html={comment.body} />
      <Attachments items={attachments} />
    </Paper>
  );
}

interface Props {
  ticket: TicketView;
  comments: CommentView[];
  attachments: AttachmentView[];
  nameOf(id: string | null): string;
}

export function Conversation({ ticket, comments, attachments, nameOf }: Props) {
  const byComment = (commentId: string | null) => attachments.filter((attachment) => attachment.commentId === commentId);
  return (
    <Stack gap="sm" component="section" aria-label={t.ticket.conversation}>
      <Message comment={{ id: ticket.id, body: ticket.description, internal: false, createdAt: ticket.createdAt }} author={nameOf(ticket.requesterId)} attachments={byComment(null)} />
      {comments.map((comment) => (
        <Message key={comment.id} comment={comment} author={nameOf(comment.authorId)} attachments={byComment(comment.id)} />
      ))}
      {comments.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t.ticket.noComments}
        </Text>
      ) : null}
    </Stack>
  );
}
