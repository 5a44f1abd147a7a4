import type { ReportInterval, ReportOverview } from '@helpdesk/contracts';
import { api } from '../../../lib/api';

export interface ReportFilterValues {
  /** YYYY-MM-DD, the organization's local days; `to` included. */
  from: string;
  to: string;
  teamId?: string;
  agentId?: string;
  interval: ReportInterval;
}

export function reportQueryString(filters: ReportFilterValues): string {
  const params = new URLSearchParams({ from: filters.from, to: filters.to, interval: filters.interval });
  if (filters.teamId) params.set('teamId', filters.teamId);
  if (filters.agentId) params.set('agentId', filters.agentId);
  return params.toString();
}

export const getReportOverview = (filters: ReportFilterValues, signal?: AbortSignal) =>
  api.call<ReportOverview>(`/api/v1/reports/overview?${reportQueryString(filters)}`, { signal });

export const reportExportPath = (filters: ReportFilterValues) => `/api/v1/reports/export.csv?${reportQueryString(filters)}`;
