import { Button, Fieldset, Group, List, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import type { QueueView } from '@helpdesk/contracts';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { QueueFilters, type QueueFiltersProps } from '../../tickets/components/QueueFilters';
import type { QueueFilters as Filters } from '../../tickets/hooks/queue-filters';
import { useCreateView, useDeleteView, useUpdateView } from '../hooks/views';
import { editorFiltersFromView, filterChanges, viewFiltersFromEditor, type ValueNames, type ViewFilters } from '../utils/view-filters';

/** The choices the queue's filter controls offer (people, teams, dropdown fields), for the view's filter editor. */
export type FilterOptions = Pick<QueueFiltersProps, 'assignees' | 'teams' | 'fieldFilters'>;

interface Props {
  /** The view open in the queue, if any. */
  view: QueueView | null;
  /** The filters shown, as a view's query and sort (the open view's combined with the ones picked). */
  current(): ViewFilters;
  filterOptions: FilterOptions;
  admin: boolean;
  myUserId: string;
}

const NO_FILTERS = editorFiltersFromView({ query: {}, sort: null });

function namesFrom({ assignees, teams, fieldFilters = [] }: FilterOptions): ValueNames {
  return {
    assignee: (id) => assignees.find((option) => option.value === id)?.label ?? id,
    team: (id) => teams.find((option) => option.value === id)?.label ?? id,
    field: (key) => fieldFilters.find((field) => field.key === key)?.label ?? key,
  };
}

/**
 * The edit dialog's form: name and sharing, and the view's filters in the queue's own controls,
 * loaded from the queue in one click, with the list of what saving changes.
 */
function EditViewForm({ view, current, filterOptions, admin, onDone }: { view: QueueView; current(): ViewFilters; filterOptions: FilterOptions; admin: boolean; onDone(saved: QueueView, refiltered: boolean): void }) {
  const update = useUpdateView();
  const form = useForm({ initialValues: { name: view.name, shared: view.shared }, validate: { name: (value) => (value.trim() ? null : t.auth.requiredField) } });
  const [error, setError] = useState<string | null>(null);
  const saved: ViewFilters = { query: view.query, sort: view.sort };
  const [filters, setFilters] = useState<Filters>(() => editorFiltersFromView(saved));
  const edited = viewFiltersFromEditor(filters, saved);
  const names = useMemo(() => namesFrom(filterOptions), [filterOptions]);
  const changes = filterChanges(saved, edited, names);
  const queueFilters = current();
  const queueDiffers = filterChanges(edited, queueFilters, names).length > 0;

  return (
    <form
      onSubmit={form.onSubmit((values) =>
        update.mutate(
          { id: view.id, name: values.name.trim(), ...(admin ? { shared: values.shared } : {}), ...(changes.length > 0 ? edited : {}) },
          { onError: (failure) => setError(applyApiErrors(form, failure)), onSuccess: (result) => onDone(result, changes.length > 0) },
        ),
      )}
    >
      <Stack gap="sm">
        <TextInput label={t.views.name} data-autofocus required {...form.getInputProps('name')} />
        {admin ? <Switch label={t.views.shared} description={t.views.sharedHint} {...form.getInputProps('shared', { type: 'checkbox' })} /> : null}
        <Fieldset legend={t.views.filters} variant="unstyled">
          <Stack gap="xs">
            <Text size="xs" c="dimmed">
              {t.views.filtersHint}
            </Text>
            {queueDiffers ? (
              <Group>
                <Button variant="light" size="xs" onClick={() => setFilters(editorFiltersFromView(queueFilters))}>
                  {t.views.useCurrentFilters}
                </Button>
              </Group>
            ) : null}
            <QueueFilters filters={filters} onChange={(next) => setFilters((before) => ({ ...before, ...next }))} onClear={() => setFilters(NO_FILTERS)} staff {...filterOptions} />
          </Stack>
        </Fieldset>
        {/* Always there, so screen readers hear the list of changes as it follows the controls. */}
        <div aria-live="polite">
          {changes.length > 0 ? (
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                {t.views.changes}
              </Text>
              <List size="sm" aria-label={t.views.changes}>
                {changes.map((change) => (
                  <List.Item key={change.filter}>{t.views.change(change.filter, change.from, change.to)}</List.Item>
                ))}
              </List>
            </Stack>
          ) : null}
        </div>
        <FormError message={error} />
        <Group justify="end">
          <Button type="submit" loading={update.isPending}>
            {t.common.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
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
export function ViewActions({ view, current, filterOptions, admin, myUserId }: Props) {
  const navigate = useNavigate();
  const create = useCreateView();
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
          <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={dialog === 'edit'} onClose={close} title={t.views.editTitle(view.name)} size="xl">
            <EditViewForm
              view={view}
              current={current}
              filterOptions={filterOptions}
              admin={admin}
              onDone={(saved, refiltered) => {
                close();
                notifications.show({ color: 'green', message: t.views.saved(saved.name) });
                // The filters picked on top of the view are in it now (or replaced): the queue lists the view as saved.
                if (refiltered) void navigate(`/tickets?view=${encodeURIComponent(saved.id)}`, { replace: true });
              }}
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
