/**
 * Reports (DESIGN section 15): the overview of one date range for the caller's visible tickets, and
 * the per-ticket rows the CSV export pages through.
 */
export const REPORT_LIMITS = {
  /** The longest range one report covers, in days. */
  maxRangeDays: 366,
  /** Rows of the CSV export per NATS page. */
  exportPageSize: 500,
} as const;

export const REPORT_INTERVALS = ['day', 'week'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];

export interface MinutesSummary {
  /** Null when no ticket in the range has the figure. */
  median: number | null;
  p90: number | null;
}

export interface SlaTargetCompliance {
  met: number;
  breached: number;
  /** met / (met + breached) × 100, one decimal; null when neither. */
  percent: number | null;
}

export interface SlaCompliance {
  firstResponse: SlaTargetCompliance;
  nextResponse: SlaTargetCompliance;
  resolution: SlaTargetCompliance;
}

export interface BacklogPoint {
  at: string;
  byStatus: Record<string, number>;
  byPriority: Record<string, number>;
}

export interface ReportGroupRow {
  created: number;
  solved: number;
  firstResponseMinutes: MinutesSummary;
  resolutionMinutes: MinutesSummary;
  sla: SlaCompliance;
}

export interface ReportAgentRow extends ReportGroupRow {
  userId: string;
  name: string;
}

export interface ReportTeamRow extends ReportGroupRow {
  teamId: string;
  name: string;
}

export interface CsatSummary {
  good: number;
  bad: number;
  /** good / (good + bad) × 100, one decimal; null when there are no ratings. */
  score: number | null;
}

export interface ReportOverview {
  from: string;
  to: string;
  interval: ReportInterval;
  created: number;
  solved: number;
  reopened: number;
  firstResponseMinutes: MinutesSummary;
  resolutionMinutes: MinutesSummary;
  sla: SlaCompliance;
  backlog: BacklogPoint[];
  agents: ReportAgentRow[];
  teams: ReportTeamRow[];
  csat: CsatSummary;
}

export type SlaOutcome = 'met' | 'breached' | null;

/** One ticket of the CSV export. */
export interface ReportTicketRow {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  team: string | null;
  assignee: string | null;
  createdAt: string;
  firstRespondedAt: string | null;
  solvedAt: string | null;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  firstResponseSla: SlaOutcome;
  nextResponseSla: SlaOutcome;
  resolutionSla: SlaOutcome;
  csat: 'good' | 'bad' | null;
}

export interface ReportExportPage {
  /** The range as the report resolved it (ISO instants), for the file name. */
  from: string;
  to: string;
  rows: ReportTicketRow[];
  nextCursor: string | null;
}
