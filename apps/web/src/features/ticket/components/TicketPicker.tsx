import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { queryKeys } from '../../../lib/query-keys';
import { listTickets } from '../../tickets/api/tickets';

const MAX_TICKET_NUMBER = 2_147_483_647;

function ticketNumberIn(text: string): number | null {
  const digits = /^#?\s*(\d{1,10})$/.exec(text.trim())?.[1];
  if (!digits) return null;
  const number = Number(digits);
  return number >= 1 && number <= MAX_TICKET_NUMBER ? number : null;
}

interface Props {
  label: string;
  /** Tickets that cannot be picked (this ticket, those already linked). */
  excludeIds: readonly string[];
  value: TicketView | null;
  onChange(ticket: TicketView | null): void;
}

/** Finds another ticket of the organization by number (`#123` or `123`) or by words of its subject. */
export function TicketPicker({ label, excludeIds, value, onChange }: Props) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const number = ticketNumberIn(debounced);
  const byNumber = useQuery({ queryKey: queryKeys.tickets.byNumber(number ?? 0), queryFn: () => listTickets({ number: number!, limit: 1 }), enabled: number !== null });
  const byWords = useQuery({
    queryKey: queryKeys.tickets.search(debounced),
    queryFn: () => listTickets({ q: debounced, limit: 8, sort: '-updatedAt' }),
    enabled: number === null && debounced.length > 1,
  });
  const found = useMemo(() => {
    const tickets = [...(value ? [value] : []), ...(number !== null ? (byNumber.data?.items ?? []) : (byWords.data?.items ?? []))];
    return tickets.filter((ticket, index) => !excludeIds.includes(ticket.id) && tickets.findIndex((other) => other.id === ticket.id) === index);
  }, [value, number, byNumber.data, byWords.data, excludeIds]);

  return (
    <Select
      label={label}
      placeholder={t.ticketPicker.placeholder}
      searchable
      clearable
      // The API searches; Mantine should show what it found without filtering again by the typed text.
      filter={({ options }) => options}
      searchValue={search}
      onSearchChange={setSearch}
      nothingFoundMessage={debounced.length > 0 ? t.ticketPicker.nothing : undefined}
      data={found.map((ticket) => ({ value: ticket.id, label: t.ticketPicker.option(ticket.number, ticket.subject) }))}
      value={value?.id ?? null}
      onChange={(id) => onChange(found.find((ticket) => ticket.id === id) ?? null)}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
