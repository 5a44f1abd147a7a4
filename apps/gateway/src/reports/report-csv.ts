import { Readable } from 'node:stream';
import type { ReportExportPage, ReportTicketRow } from '@helpdesk/contracts';
import { stringify } from 'csv-stringify';

/** The export's columns, in order: header text and the row's value. */
export const REPORT_CSV_COLUMNS: ReadonlyArray<{ header: string; value: (row: ReportTicketRow) => string | number | null }> = [
  { header: 'id', value: (row) => row.id },
  { header: 'number', value: (row) => row.number },
  { header: 'subject', value: (row) => row.subject },
  { header: 'status', value: (row) => row.status },
  { header: 'priority', value: (row) => row.priority },
  { header: 'team', value: (row) => row.team },
  { header: 'assignee', value: (row) => row.assignee },
  { header: 'created_at', value: (row) => row.createdAt },
  { header: 'first_responded_at', value: (row) => row.firstRespondedAt },
  { header: 'solved_at', value: (row) => row.solvedAt },
  { header: 'first_response_minutes', value: (row) => row.firstResponseMinutes },
  { header: 'resolution_minutes', value: (row) => row.resolutionMinutes },
  { header: 'sla_first_response', value: (row) => row.firstResponseSla },
  { header: 'sla_next_response', value: (row) => row.nextResponseSla },
  { header: 'sla_resolution', value: (row) => row.resolutionSla },
  { header: 'csat', value: (row) => row.csat },
];

const FORMULA_START = /^[=+\-@\t\r]/;

/** A spreadsheet would run a cell starting with =, +, -, @, tab or CR as a formula; the leading quote makes it text. */
export function defuseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * The CSV as a stream, UTF-8 with a byte order mark: the first page is already fetched (so a refused
 * request fails before the response starts), the rest are fetched as the client reads.
 */
export function reportCsvStream(first: ReportExportPage, nextPage: (cursor: string) => Promise<ReportExportPage>): Readable {
  async function* rows(): AsyncGenerator<Array<string | number | null>> {
    let page = first;
    for (;;) {
      for (const row of page.rows) yield REPORT_CSV_COLUMNS.map((column) => column.value(row));
      if (!page.nextCursor) return;
      page = await nextPage(page.nextCursor);
    }
  }
  const csv = stringify({
    bom: true,
    header: true,
    columns: REPORT_CSV_COLUMNS.map((column) => column.header),
    cast: { string: (value) => defuseFormula(value) },
  });
  const source = Readable.from(rows());
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}

/** `tickets-2026-11-23-to-2026-11-29.csv` from the range's instants (the last day is the one before `to`). */
export function reportFileName(from: string, to: string): string {
  const day = (instant: string) => instant.slice(0, 10);
  const lastDay = new Date(new Date(to).getTime() - 1).toISOString();
  return `tickets-${day(from)}-to-${day(lastDay)}.csv`;
}
