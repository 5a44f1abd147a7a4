import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Alert, Anchor, Group, Loader, Paper, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { ReportAgentRow, ReportInterval, ReportOverview, ReportTeamRow, SlaTargetCompliance } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { api } from '../../../lib/api';
import { describeError } from '../../../lib/errors';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { listActiveStaff } from '../../directory/api/directory';
import { useTeams } from '../../directory/hooks/directory';
import { queryKeys } from '../../../lib/query-keys';
import { getReportOverview, reportExportPath, type ReportFilterValues } from '../api/reports';
import { presetRange, RANGE_PRESETS, type RangePreset } from './report-range';

const STATUSES = ['new', 'open', 'pending', 'on_hold'] as const;
const STATUS_COLORS: Record<(typeof STATUSES)[number], string> = { new: 'blue.6', open: 'teal.6', pending: 'yellow.6', on_hold: 'gray.6' };
const SLA_TARGETS = ['firstResponse', 'nextResponse', 'resolution'] as const;

/** The filters live in the URL, so a report can be bookmarked and shared: `?range=lastWeek&teamId=…&interval=day`. */
function useReportFilters(): { filters: ReportFilterValues | null; preset: RangePreset; set: (changes: Record<string, string | null>) => void } {
  const [params, setParams] = useSearchParams();
  const preset = (RANGE_PRESETS as readonly string[]).includes(params.get('range') ?? '') ? (params.get('range') as RangePreset) : 'last7';
  const interval: ReportInterval = params.get('interval') === 'week' ? 'week' : 'day';
  const range = preset === 'custom' ? { from: params.get('from') ?? '', to: params.get('to') ?? '' } : presetRange(preset);
  const filters = range.from && range.to ? { ...range, interval, teamId: params.get('teamId') ?? undefined, agentId: params.get('agentId') ?? undefined } : null;
  const set = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [name, value] of Object.entries(changes)) {
          if (value) next.set(name, value);
          else next.delete(name);
        }
        return next;
      },
      { replace: true },
    );
  return { filters, preset, set };
}

function Kpi({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <Paper withBorder p="sm" role="group" aria-label={label}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
      {detail ? (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      ) : null}
    </Paper>
  );
}

function SlaTable({ sla }: { sla: ReportOverview['sla'] }) {
  return (
    <Table aria-label={t.reports.slaCompliance} striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t.reports.target}</Table.Th>
          <Table.Th>{t.reports.met}</Table.Th>
          <Table.Th>{t.reports.breached}</Table.Th>
          <Table.Th>{t.reports.compliance}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {SLA_TARGETS.map((target) => (
          <Table.Tr key={target}>
            <Table.Th scope="row">{t.reports.targets[target]}</Table.Th>
            <Table.Td>{sla[target].met}</Table.Td>
            <Table.Td>{sla[target].breached}</Table.Td>
            <Table.Td>{t.reports.percent(sla[target].percent)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

type GroupRow = (ReportAgentRow | ReportTeamRow) & { key: string };
interface Column {
  id: string;
  label: string;
  value: (row: GroupRow) => string | number | null;
  show: (row: GroupRow) => string;
}
const percentOf = (compliance: SlaTargetCompliance) => compliance.percent;
const COLUMNS: Column[] = [
  { id: 'name', label: t.reports.name, value: (row) => row.name, show: (row) => row.name },
  { id: 'created', label: t.reports.created, value: (row) => row.created, show: (row) => String(row.created) },
  { id: 'solved', label: t.reports.solved, value: (row) => row.solved, show: (row) => String(row.solved) },
  { id: 'firstResponse', label: t.reports.firstResponseMedian, value: (row) => row.firstResponseMinutes.median, show: (row) => t.reports.minutes(row.firstResponseMinutes.median) },
  { id: 'resolution', label: t.reports.resolutionMedian, value: (row) => row.resolutionMinutes.median, show: (row) => t.reports.minutes(row.resolutionMinutes.median) },
  { id: 'firstResponseSla', label: t.reports.firstResponseSla, value: (row) => percentOf(row.sla.firstResponse), show: (row) => t.reports.percent(row.sla.firstResponse.percent) },
  { id: 'resolutionSla', label: t.reports.resolutionSla, value: (row) => percentOf(row.sla.resolution), show: (row) => t.reports.percent(row.sla.resolution.percent) },
];

/** A table whose column headers sort it (again: the other way); empty values sort last. */
function GroupTable({ title, rows }: { title: string; rows: GroupRow[] }) {
  const [sort, setSort] = useState<{ column: string; descending: boolean }>({ column: 'name', descending: false });
  const sorted = useMemo(() => {
    const column = COLUMNS.find((candidate) => candidate.id === sort.column) ?? COLUMNS[0]!;
    return [...rows].sort((a, b) => {
      const [left, right] = [column.value(a), column.value(b)];
      if (left === null || right === null) return left === right ? 0 : left === null ? 1 : -1;
      const order = typeof left === 'number' && typeof right === 'number' ? left - right : String(left).localeCompare(String(right));
      return sort.descending ? -order : order;
    });
  }, [rows, sort]);
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        {title}
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label={title} striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              {COLUMNS.map((column) => (
                <Table.Th key={column.id} aria-sort={sort.column === column.id ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                  <UnstyledButton
                    aria-label={t.reports.sortBy(column.label)}
                    onClick={() => setSort((current) => ({ column: column.id, descending: current.column === column.id ? !current.descending : false }))}
                  >
                    {column.label} {sort.column === column.id ? (sort.descending ? '▼' : '▲') : ''}
                  </UnstyledButton>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sorted.map((row) => (
              <Table.Tr key={row.key}>
                {COLUMNS.map((column) => (
                  <Table.Td key={column.id}>{column.show(row)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** Saves the CSV as a download link would, with the session's token (the link alone would be refused). */
async function downloadCsv(filters: ReportFilterValues): Promise<void> {
  const url = URL.createObjectURL(await api.blob(reportExportPath(filters)));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = `tickets-${filters.from}-to-${filters.to}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

export function ReportsPage() {
  const me = useCurrentUser();
  const { filters, preset, set } = useReportFilters();
  const teams = useTeams();
  const staff = useQuery({ queryKey: queryKeys.users.staff, queryFn: listActiveStaff, staleTime: 60_000 });
  const report = useQuery({
    queryKey: ['reports', 'overview', filters],
    queryFn: ({ signal }) => getReportOverview(filters!, signal),
    enabled: filters !== null,
  });
  const data = report.data;
  // Labelled by the last day each point closes (a point is the end of its interval, the next midnight).
  const backlog = (data?.backlog ?? []).map((point) => ({ at: new Date(Date.parse(point.at) - 1).toISOString().slice(0, 10), ...Object.fromEntries(STATUSES.map((status) => [status, point.byStatus[status] ?? 0])) }));

  return (
    <Stack p={{ base: 'xs', sm: 'md' }} gap="md">
      <Group justify="space-between">
        <Title order={1} size="h3">
          {t.reports.title}
        </Title>
        {filters ? (
          <Anchor
            href={reportExportPath(filters)}
            onClick={(event) => {
              event.preventDefault();
              downloadCsv(filters).catch((error: unknown) => notifications.show({ color: 'red', message: describeError(error) }));
            }}
          >
            {t.reports.exportCsv}
          </Anchor>
        ) : null}
      </Group>
      <Group role="search" aria-label={t.reports.filters} align="flex-end" wrap="wrap">
        <Select
          label={t.reports.range}
          data={RANGE_PRESETS.map((value) => ({ value, label: t.reports.presets[value] }))}
          value={preset}
          allowDeselect={false}
          onChange={(value) => set(value === 'custom' ? { range: value, ...(filters ? { from: filters.from, to: filters.to } : {}) } : { range: value, from: null, to: null })}
        />
        {preset === 'custom' ? (
          <>
            <TextInput type="date" label={t.reports.from} value={filters?.from ?? ''} onChange={(event) => set({ from: event.currentTarget.value })} />
            <TextInput type="date" label={t.reports.to} value={filters?.to ?? ''} onChange={(event) => set({ to: event.currentTarget.value })} />
          </>
        ) : null}
        <Select
          label={t.reports.team}
          placeholder={t.reports.anyTeam}
          clearable
          data={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
          value={filters?.teamId ?? null}
          onChange={(value) => set({ teamId: value })}
        />
        <Select
          label={t.reports.agent}
          placeholder={t.reports.anyAgent}
          clearable
          searchable
          data={(staff.data ?? []).map((user) => ({ value: user.id, label: user.name }))}
          value={filters?.agentId ?? null}
          onChange={(value) => set({ agentId: value })}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="report-interval">
            {t.reports.interval}
          </Text>
          <SegmentedControl
            aria-labelledby="report-interval"
            data={(['day', 'week'] as const).map((value) => ({ value, label: t.reports.intervals[value] }))}
            value={filters?.interval ?? 'day'}
            onChange={(value) => set({ interval: value })}
          />
        </Stack>
      </Group>
      {filters === null ? <Alert color="yellow">{t.reports.customRangeRequired}</Alert> : null}
      {report.error ? (
        <Alert color="red" role="alert">
          {describeError(report.error)}
        </Alert>
      ) : null}
      {report.isLoading ? <Loader role="status" aria-label={t.common.loading} /> : null}
      {data ? (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
            <Kpi label={t.reports.created} value={String(data.created)} />
            <Kpi label={t.reports.solved} value={String(data.solved)} />
            <Kpi label={t.reports.reopened} value={String(data.reopened)} />
            <Kpi label={t.reports.firstResponse} value={t.reports.minutes(data.firstResponseMinutes.median)} detail={`${t.reports.median}; ${t.reports.p90} ${t.reports.minutes(data.firstResponseMinutes.p90)}`} />
            <Kpi label={t.reports.resolution} value={t.reports.minutes(data.resolutionMinutes.median)} detail={`${t.reports.median}; ${t.reports.p90} ${t.reports.minutes(data.resolutionMinutes.p90)}`} />
            <Kpi label={t.reports.csat} value={t.reports.percent(data.csat.score)} detail={t.reports.csatDetail(data.csat.good, data.csat.bad)} />
          </SimpleGrid>
          <Paper withBorder p="sm">
            <Title order={2} size="h4" mb="xs">
              {t.reports.slaCompliance}
            </Title>
            <SlaTable sla={data.sla} />
          </Paper>
          <Paper withBorder p="sm">
            <Title order={2} size="h4" mb="xs">
              {t.reports.backlog}
            </Title>
            {(filters?.teamId || filters?.agentId) && (
              <Text size="xs" c="dimmed" mb="xs">
                {t.reports.backlogScoped}
              </Text>
            )}
            <BarChart h={240} data={backlog} dataKey="at" type="stacked" withLegend series={STATUSES.map((status) => ({ name: status, color: STATUS_COLORS[status] }))} />
          </Paper>
          {me.user.role !== 'customer' ? (
            <>
              <GroupTable title={t.reports.perAgent} rows={data.agents.map((row) => ({ ...row, key: row.userId }))} />
              <GroupTable title={t.reports.perTeam} rows={data.teams.map((row) => ({ ...row, key: row.teamId }))} />
            </>
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}
