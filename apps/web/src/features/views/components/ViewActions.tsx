import { Button, Group, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import type { QueueView, TicketFilterQuery } from '@helpdesk/contracts';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { useCreateView, useDeleteView, useUpdateView } from '../hooks/views';

interface Props {
  /** The view open in the queue, if any. */
  view: QueueView | null;
  /** The filters shown, as a view's query and sort (the open view's combined with the ones picked). */
  current(): { query: TicketFilterQuery; sort: string | null };
  admin: boolean;
  myUserId: string;
}

function ViewForm({ initial, admin, submitLabel, onSubmit, pending }: { initial: { name: string; shared: boolean }; admin: boolean; submitLabel: string; pending: boolean; onSubmit(values: { name: string; shared: boolean }, fail: (error: unknown) => void): void }) {
  const form = useForm({ initialValues: initial, validate: { name: (value) => (value.trim() ? null : t.auth.requiredField) } });
  const [error, setError] = useState<string | null>(null);
  return (
    <form onSubmit={form.onSubmit((values) => onSubmit({ ...values, name: values.name.trim() }, (failure) => setError(applyApiErrors(form, failure))))}>
      <Stack gap="sm">
        <TextInput label={t.views.name} data-autofocus required {...form.getInputProps('name')} />
        {admin ? <Switch label={t.views.shared} description={t.views.sharedHint} {...form.getInputProps('shared', { type: 'checkbox' })} /> : null}
        <FormError message={error} />
        <Group justify="end">
          <Button type="submit" loading={pending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The queue header's view tools: save the filters shown as a view; edit or delete the open view when the caller may. */
export function ViewActions({ view, current, admin, myUserId }: Props) {
  const navigate = useNavigate();
  const create = useCreateView();
  const update = useUpdateView();
  const remove = useDeleteView();
  const [dialog, setDialog] = useState<'save' | 'edit' | 'delete' | null>(null);
  const writable = view !== null && (view.shared ? admin : view.ownerId === myUserId);
  const close = () => setDialog(null);

  return (
    <Group gap="xs">
      <Button variant="default" size="xs" onClick={() => setDialog('save')}>
        {t.views.saveAsView}
      </Button>
      {writable ? (
        <>
          <Button variant="default" size="xs" onClick={() => setDialog('edit')}>
            {t.views.editView}
          </Button>
          <Button variant="subtle" color="red" size="xs" onClick={() => setDialog('delete')}>
            {t.views.deleteView}
          </Button>
        </>
      ) : null}

      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={dialog === 'save'} onClose={close} title={t.views.saveTitle}>
        <ViewForm
          initial={{ name: '', shared: false }}
          admin={admin}
          submitLabel={t.views.save}
          pending={create.isPending}
          onSubmit={(values, fail) =>
            create.mutate(
              { ...values, ...current() },
              {
                onError: fail,
                onSuccess: (saved) => {
                  close();
                  notifications.show({ color: 'green', message: t.views.saved(saved.name) });
                  void navigate(`/tickets?view=${encodeURIComponent(saved.id)}`);
                },
              },
            )
          }
        />
      </Modal>

      {view ? (
        <>
          <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={dialog === 'edit'} onClose={close} title={t.views.editTitle(view.name)}>
            <ViewForm
              initial={{ name: view.name, shared: view.shared }}
              admin={admin}
              submitLabel={t.common.save}
              pending={update.isPending}
              onSubmit={(values, fail) =>
                update.mutate(
                  { id: view.id, ...values },
                  {
                    onError: fail,
                    onSuccess: (saved) => {
                      close();
                      notifications.show({ color: 'green', message: t.views.saved(saved.name) });
                    },
                  },
                )
              }
            />
          </Modal>
          <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={dialog === 'delete'} onClose={close} title={t.views.deleteTitle(view.name)}>
            <Stack gap="sm">
              <Text size="sm">{t.views.confirmDelete(view.name)}</Text>
              <Group justify="end">
                <Button variant="default" onClick={close}>
                  {t.common.cancel}
                </Button>
                <Button
                  color="red"
                  loading={remove.isPending}
                  onClick={() =>
                    remove.mutate(view.id, {
                      onError: (error) => notifications.show({ color: 'red', message: describeError(error) }),
                      onSuccess: () => {
                        close();
                        notifications.show({ message: t.views.deleted(view.name) });
                        void navigate('/tickets');
                      },
                    })
                  }
                >
                  {t.views.deleteView}
                </Button>
              </Group>
            </Stack>
          </Modal>
        </>
      ) : null}
    </Group>
  );
}
