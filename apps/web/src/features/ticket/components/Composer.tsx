import '@mantine/tiptap/styles.css';
import { Alert, Box, Button, CloseButton, FileButton, Group, Paper, Progress, Stack, Tabs, Text } from '@mantine/core';
import { Link, RichTextEditor } from '@mantine/tiptap';
import { useEditor } from '@tiptap/react';
import { Placeholder } from '@tiptap/extensions';
import StarterKit from '@tiptap/starter-kit';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { formatBytes } from '../../../lib/format';
import { queryKeys } from '../../../lib/query-keys';
import { uploadAttachment } from '../../tickets/api/upload';
import { useAddComment } from '../hooks/ticket';
import { LockMark } from './LockMark';
import { NOTE_TINT } from './Conversation';

export type ComposerMode = 'reply' | 'note';

/** The gateway's limit; checked here too so a person learns before a long upload. */
const MAX_BYTES = 10 * 1024 * 1024;

interface PendingFile {
  key: string;
  file: File;
  progress: number | null;
  error: string | null;
}

export interface ComposerProps {
  ticketId: string;
  mode: ComposerMode;
  onModeChange(mode: ComposerMode): void;
  /** Staff may write internal notes; customers only reply. */
  allowNotes: boolean;
  /** Text to put into the editor (an AI suggestion); `key` changes for each new draft. */
  draft?: { text: string; key: number } | null;
  onTyping?(internal: boolean): void;
  onStoppedTyping?(): void;
  editorRef?: (focus: () => void) => void;
  /** HTML to insert at the cursor (a canned response); `key` changes for each insertion. */
  insertion?: { html: string; key: number } | null;
  /** Staff's extra buttons beside "Attach files" (apply a macro, insert a canned response). */
  tools?: ReactNode;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
const textToHtml = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');

export function Composer({ ticketId, mode, onModeChange, allowNotes, draft, onTyping, onStoppedTyping, editorRef, insertion, tools }: ComposerProps) {
  const internal = allowNotes && mode === 'note';
  const addComment = useAddComment(ticketId);
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [empty, setEmpty] = useState(true);
  const [dragging, setDragging] = useState(false);
  const internalRef = useRef(internal);
  internalRef.current = internal;
  const replyPlaceholder = allowNotes ? t.ticket.composerPlaceholderReply : t.ticket.composerPlaceholderCustomer;

  const editor = useEditor({
    extensions: [StarterKit.configure({ link: false }), Link, Placeholder.configure({ placeholder: () => (internalRef.current ? t.ticket.composerPlaceholderNote : replyPlaceholder) })],
    content: '',
    immediatelyRender: true,
    editorProps: { attributes: { 'aria-label': internal ? t.ticket.note : t.ticket.composer, role: 'textbox', 'aria-multiline': 'true' } },
    onUpdate: ({ editor: current }) => {
      setEmpty(current.isEmpty);
      onTyping?.(internalRef.current);
    },
  });

  useEffect(() => {
    editor?.setOptions({ editorProps: { attributes: { 'aria-label': internal ? t.ticket.note : t.ticket.composer, role: 'textbox', 'aria-multiline': 'true' } } });
  }, [editor, internal]);

  useEffect(() => {
    if (!editor || !draft) return;
    editor.commands.setContent(textToHtml(draft.text));
    setEmpty(editor.isEmpty);
    editor.commands.focus('end');
  }, [editor, draft]);

  useEffect(() => {
    if (!editor || !insertion) return;
    editor.chain().focus().insertContent(insertion.html).run();
    setEmpty(editor.isEmpty);
  }, [editor, insertion]);

  useEffect(() => {
    if (editor && editorRef) editorRef(() => editor.commands.focus('end'));
  }, [editor, editorRef]);

  const addFiles = (incoming: File[]) =>
    setFiles((current) => [
      ...current,
      ...incoming.map((file) => ({
        key: `${file.name}-${file.size}-${file.lastModified}-${Math.random()}`,
        file,
        progress: null,
        error: file.size > MAX_BYTES ? t.ticket.uploadFailed(file.name, `${formatBytes(file.size)} > 10 MB`) : null,
      })),
    ]);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    addFiles([...event.dataTransfer.files]);
  };

  const send = async () => {
    if (!editor || editor.isEmpty) return;
    setError(null);
    let commentId: string;
    try {
      commentId = (await addComment.mutateAsync({ body: editor.getHTML(), internal })).id;
    } catch (failure) {
      setError(describeError(failure));
      return;
    }
    editor.commands.clearContent();
    setEmpty(true);
    onStoppedTyping?.();
    const toUpload = files.filter((pending) => !pending.error);
    const failed: PendingFile[] = [];
    for (const pending of toUpload) {
      const update = (changes: Partial<PendingFile>) => setFiles((current) => current.map((item) => (item.key === pending.key ? { ...item, ...changes } : item)));
      try {
        await uploadAttachment(ticketId, pending.file, (progress) => update({ progress }), commentId);
      } catch (failure) {
        const reason = t.ticket.uploadFailed(pending.file.name, describeError(failure));
        update({ error: reason, progress: null });
        failed.push({ ...pending, error: reason });
      }
    }
    // Uploaded files leave the list; refused ones stay with the server's reason.
    setFiles(failed);
    if (toUpload.length > failed.length) void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.attachments(ticketId) });
  };

  const busy = addComment.isPending || files.some((pending) => pending.progress !== null && pending.progress < 1);

  return (
    <Paper
      withBorder
      p="xs"
      bg={internal ? NOTE_TINT : undefined}
      data-mode={internal ? 'note' : 'reply'}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      style={dragging ? { outline: '2px dashed var(--mantine-color-indigo-5)' } : undefined}
    >
      <Tabs value={internal ? 'note' : 'reply'} onChange={(value) => onModeChange(value === 'note' ? 'note' : 'reply')} mb="xs">
        <Tabs.List>
          <Tabs.Tab value="reply">{t.ticket.reply}</Tabs.Tab>
          {allowNotes ? (
            <Tabs.Tab value="note" leftSection={<LockMark />}>
              {t.ticket.note}
            </Tabs.Tab>
          ) : null}
        </Tabs.List>
      </Tabs>
      {internal ? (
        <Text size="xs" c="dimmed" mb={4}>
          <LockMark size={11} /> {t.ticket.internalMark}
        </Text>
      ) : null}
      <RichTextEditor editor={editor} variant="subtle">
        <RichTextEditor.Toolbar>
          <RichTextEditor.ControlsGroup>
            <RichTextEditor.Bold />
            <RichTextEditor.Italic />
            <RichTextEditor.Strikethrough />
            <RichTextEditor.Code />
          </RichTextEditor.ControlsGroup>
          <RichTextEditor.ControlsGroup>
            <RichTextEditor.BulletList />
            <RichTextEditor.OrderedList />
            <RichTextEditor.Blockquote />
          </RichTextEditor.ControlsGroup>
          <RichTextEditor.ControlsGroup>
            <RichTextEditor.Link />
            <RichTextEditor.Unlink />
          </RichTextEditor.ControlsGroup>
        </RichTextEditor.Toolbar>
        <Box mih={100}>
          <RichTextEditor.Content />
        </Box>
      </RichTextEditor>
      <Stack gap={4} mt="xs">
        {files.map((pending) => (
          <Group key={pending.key} gap="xs" wrap="nowrap">
            <Text size="xs" style={{ flex: 1, minWidth: 0 }} truncate="end" c={pending.error ? 'red' : undefined} role={pending.error ? 'alert' : undefined}>
              {pending.error ?? `${pending.file.name} (${formatBytes(pending.file.size)})`}
            </Text>
            {pending.progress !== null ? <Progress value={pending.progress * 100} w={100} aria-label={t.ticket.uploading(pending.file.name)} /> : null}
            <CloseButton size="sm" aria-label={t.ticket.removeFile(pending.file.name)} onClick={() => setFiles((current) => current.filter((item) => item.key !== pending.key))} />
          </Group>
        ))}
      </Stack>
      {error ? (
        <Alert color="red" role="alert" mt="xs">
          {error}
        </Alert>
      ) : null}
      <Group justify="space-between" mt="xs">
        <Group gap="xs">
          <FileButton onChange={addFiles} multiple>
            {(props) => (
              <Button variant="subtle" size="xs" {...props}>
                {t.ticket.attachFiles}
              </Button>
            )}
          </FileButton>
          {tools}
        </Group>
        <Text size="xs" c="dimmed" visibleFrom="sm">
          {t.ticket.dropFiles}
        </Text>
        <Button onClick={() => void send()} loading={busy} disabled={empty} color={internal ? 'yellow' : undefined} c={internal ? 'dark' : undefined}>
          {internal ? t.ticket.addNote : t.ticket.send}
        </Button>
      </Group>
    </Paper>
  );
}
