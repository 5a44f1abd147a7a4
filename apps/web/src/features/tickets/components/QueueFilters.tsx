import { Button, Group, MultiSelect, Select, Switch, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState, type RefObject } from 'react';
import { t } from '../../../i18n';
import { PRIORITIES, SORTS, STATUSES, type QueueFilters as Filters } from '../hooks/queue-filters';

export interface QueueFiltersProps {
  filters: Filters;
  onChange(changes: Partial<Filters>): void;
  onClear(): void;
  staff: boolean;
  assignees: Array<{ value: string; label: string }>;
  teams: Array<{ value: string; label: string }>;
  searchRef?: RefObject<HTMLInputElement | null>;
}

/** The queue's controls; their state is the URL's query string (see useQueueFilters). */
export function QueueFilters({ filters, onChange, onClear, staff, assignees, teams, searchRef }: QueueFiltersProps) {
  const [search, setSearch] = useState(filters.q);
  const [tag, setTag] = useState(filters.tag);
  useEffect(() => setSearch(filters.q), [filters.q]);
  useEffect(() => setTag(filters.tag), [filters.tag]);
  const commitSearch = useDebouncedCallback((q: string) => onChange({ q }), 300);
  const commitTag = useDebouncedCallback((value: string) => onChange({ tag: value }), 400);

  return (
    <Group gap="xs" align="end" wrap="wrap">
      <TextInput
        ref={searchRef}
        type="search"
        label={t.queue.search}
        placeholder={t.queue.search}
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          commitSearch(event.currentTarget.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') onChange({ q: search });
        }}
        w={{ base: '100%', sm: 220 }}
      />
      <MultiSelect
        label={t.queue.status}
        data={STATUSES.map((value) => ({ value, label: t.status[value] }))}
        value={filters.status}
        onChange={(value) => onChange({ status: value as Filters['status'] })}
        clearable
        w={{ base: '100%', sm: 200 }}
      />
      <MultiSelect
        label={t.queue.priority}
        data={PRIORITIES.map((value) => ({ value, label: t.priority[value] }))}
        value={filters.priority}
        onChange={(value) => onChange({ priority: value as Filters['priority'] })}
        clearable
        w={{ base: '100%', sm: 180 }}
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
          />
          <Select
            label={t.queue.team}
            data={teams}
            value={filters.team}
            onChange={(value) => onChange({ team: value })}
            placeholder={t.queue.anyTeam}
            clearable
            w={{ base: '100%', sm: 150 }}
          />
          <TextInput
            label={t.queue.tag}
            value={tag}
            onChange={(event) => {
              setTag(event.currentTarget.value);
              commitTag(event.currentTarget.value);
            }}
            w={{ base: '100%', sm: 120 }}
          />
        </>
      ) : null}
      <Select
        label={t.queue.sort}
        data={SORTS.map((value) => ({ value, label: t.queue.sorts[value] }))}
        value={filters.sort}
        onChange={(value) => value && onChange({ sort: value })}
        allowDeselect={false}
        w={{ base: '100%', sm: 170 }}
      />
      {staff ? <Switch label={t.queue.breachedOnly} checked={filters.breached} onChange={(event) => onChange({ breached: event.currentTarget.checked })} mb={8} /> : null}
      <Button variant="subtle" onClick={onClear}>
        {t.queue.clearFilters}
      </Button>
    </Group>
  );
}
