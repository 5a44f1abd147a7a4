import { Button, Collapse, Group, MultiSelect, Select, Switch, TextInput } from '@mantine/core';
import { useDebouncedCallback, useDisclosure, useMediaQuery } from '@mantine/hooks';
import { memo, useEffect, useRef, useState, type RefObject } from 'react';
import { t } from '../../../i18n';
import { PRIORITIES, SORTS, STATUSES, type QueueFilters as Filters } from '../hooks/queue-filters';

/**
 * Mantine keeps a closed combobox's dropdown in the DOM (hidden), and floating-ui positions each of
 * them when the page mounts: getComputedStyle in a layout effect, a forced style recalculation of
 * the whole queue (115 to 146 ms in a cold profile). Mounted on opening instead.
 */
const DROPDOWN_MOUNTED_WHEN_OPEN = { keepMounted: false } as const;

export interface QueueFiltersProps {
  filters: Filters;
  onChange(changes: Partial<Filters>): void;
  onClear(): void;
  staff: boolean;
  assignees: Array<{ value: string; label: string }>;
  teams: Array<{ value: string; label: string }>;
  /** The organization's dropdown fields, each a filter (staff only). */
  fieldFilters?: ReadonlyArray<{ key: string; label: string; options: string[] }>;
  searchRef?: RefObject<HTMLInputElement | null>;
}

/**
 * A text filter typed freely and written to the URL after a pause. The URL's value replaces the
 * text only when it changed from elsewhere (back button, a sidebar view), never mid-typing.
 */
function useUrlBackedText(fromUrl: string, commit: (value: string) => void, delayMs: number) {
  const [value, setValue] = useState(fromUrl);
  const written = useRef(fromUrl);
  useEffect(() => {
    if (fromUrl !== written.current) {
      written.current = fromUrl;
      setValue(fromUrl);
    }
  }, [fromUrl]);
  const write = (text: string) => {
    written.current = text.trim();
    commit(text);
  };
  const debounced = useDebouncedCallback(write, delayMs);
  return {
    value,
    change(text: string) {
      setValue(text);
      debounced(text);
    },
    commitNow() {
      debounced.cancel();
      write(value);
    },
    /** Leaving the field writes what was typed at once: a click on Save right after typing keeps it. */
    flush() {
      debounced.flush();
    },
  };
}

/** The queue's controls; their state is the URL's query string (see useQueueFilters). Memoised: the queue re-renders on every row hover. */
export const QueueFilters = memo(function QueueFilters({ filters, onChange, onClear, staff, assignees, teams, fieldFilters = [], searchRef }: QueueFiltersProps) {
  const search = useUrlBackedText(filters.q, (q) => onChange({ q }), 300);
  const tag = useUrlBackedText(filters.tag, (value) => onChange({ tag: value }), 400);
  // On a phone the filters fold away under a button so the list stays in view.
  const wide = useMediaQuery('(min-width: 48em)', true);
  const [open, toggle] = useDisclosure(false);

  return (
    <Group gap="xs" align="end" wrap="wrap">
      <TextInput
        ref={searchRef}
        type="search"
        label={t.queue.search}
        placeholder={t.queue.search}
        value={search.value}
        onChange={(event) => search.change(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') search.commitNow();
        }}
        onBlur={search.flush}
        w={{ base: '100%', sm: 220 }}
      />
      {wide ? null : (
        <Button variant="default" onClick={toggle.toggle} aria-expanded={open} fullWidth>
          {t.queue.filters}
        </Button>
      )}
      <Collapse expanded={wide || open} w={wide ? undefined : '100%'}>
        <Group gap="xs" align="end" wrap="wrap">
          <MultiSelect
            label={t.queue.status}
            data={STATUSES.map((value) => ({ value, label: t.status[value] }))}
            value={filters.status}
            onChange={(value) => onChange({ status: value as Filters['status'] })}
            clearable
            w={{ base: '100%', sm: 200 }}
            comboboxProps={DROPDOWN_MOUNTED_WHEN_OPEN}
          />
          <MultiSelect
            label={t.queue.priority}
            data={PRIORITIES.map((value) => ({ value, label: t.priority[value] }))}
            value={filters.priority}
            onChange={(value) => onChange({ priority: value as Filters['priority'] })}
            clearable
            w={{ base: '100%', sm: 180 }}
            comboboxProps={DROPDOWN_MOUNTED_WHEN_OPEN}
          />
          {staff ? (
            <>
              <Select
                label={t.queue.assignee}
                data={[
                  { value: 'me', label: t.queue.me },
                  { value: 'unassigned', label: t.queue.unassigned },
                  ...assignees,
                ]}
                value={filters.assignee}
                onChange={(value) => onChange({ assignee: value })}
                placeholder={t.queue.anyone}
                clearable
                w={{ base: '100%', sm: 160 }}
                comboboxProps={DROPDOWN_MOUNTED_WHEN_OPEN}
              />
              <Select
                label={t.queue.team}
                data={teams}
                value={filters.team}
                onChange={(value) => onChange({ team: value })}
                placeholder={t.queue.anyTeam}
                clearable
                w={{ base: '100%', sm: 150 }}
                comboboxProps={DROPDOWN_MOUNTED_WHEN_OPEN}
              />
              <TextInput
                label={t.queue.tag}
                value={tag.value}
                onChange={(event) => tag.change(event.currentTarget.value)}
                onBlur={tag.flush}
                w={{ base: '100%', sm: 120 }}
              />
              {fieldFilters.map((field) => (
                <Select
                  key={field.key}
                  label={field.label}
                  data={field.options}
                  value={filters.fields?.[field.key] ?? null}
                  onChange={(value) => {
                    const { [field.key]: _previous, ...others } = filters.fields ?? {};
                    onChange({ fields: value ? { ...others, [field.key]: value } : others });
                  }}
                  placeholder={t.queue.anyValue}
                  clearable
                  w={{ base: '100%', sm: 150 }}
                  comboboxProps={DROPDOWN_MOUNTED_WHEN_OPEN}
                />
              ))}
            </>
          ) : null}
          <Select
            label={t.queue.sort}
            data={SORTS.map((value) => ({ value, label: t.queue.sorts[value] }))}
            value={filters.sort}
            onChange={(value) => value && onChange({ sort: value })}
            allowDeselect={false}
            w={{ base: '100%', sm: 170 }}
            comboboxProps={DROPDOWN_MOUNTED_WHEN_OPEN}
          />
          {staff ? <Switch label={t.queue.breachedOnly} checked={filters.breached} onChange={(event) => onChange({ breached: event.currentTarget.checked })} mb={8} /> : null}
          <Button variant="subtle" onClick={onClear}>
            {t.queue.clearFilters}
          </Button>
        </Group>
      </Collapse>
    </Group>
  );
});
