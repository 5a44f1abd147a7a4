import { IsIn, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import type { TicketView } from './tickets.js';

/** Customer satisfaction (DESIGN section 15): one rating per ticket, asked for in the solved mail. */
export const SATISFACTION_RATINGS = ['good', 'bad'] as const;
export type SatisfactionRating = (typeof SATISFACTION_RATINGS)[number];

export const SATISFACTION_LIMITS = {
  comment: 2_000,
  /** A survey link, and so the rating it gives, can be changed for this long after the mail. */
  changeableDays: 7,
  /** 43 base64url characters: 32 random bytes. */
  token: 43,
} as const;

/** A staff-only part of TicketView: the requester's rating, null until they rate. */
export interface TicketSatisfactionView {
  rating: SatisfactionRating;
  comment: string | null;
  /** ISO 8601, the first rating. */
  ratedAt: string;
  /** ISO 8601, the last change of rating or comment. */
  updatedAt: string;
}

/** What the public rating page shows (`GET /api/v1/satisfaction/:token`): nothing that identifies anyone. */
export interface SatisfactionSurveyView {
  organizationName: string;
  ticket: { number: number; subject: string };
  rating: SatisfactionRating | null;
  comment: string | null;
  /** ISO 8601: until then the rating and comment can be changed with this link. */
  changeableUntil: string;
}

/** Internal, for the notification service when it sends the solved mail: a fresh survey link for the requester. */
export class IssueSatisfactionLinkCommand {
  @IsUUID()
  ticketId!: string;

  @IsUUID()
  userId!: string;
}

/** Public (no principal): the survey link's token is the only credential. */
export class SatisfactionTokenCommand {
  @Length(1, SATISFACTION_LIMITS.token)
  @IsString()
  token!: string;
}

export class SatisfactionAnswer {
  @IsIn(SATISFACTION_RATINGS, { message: `rating must be one of: ${SATISFACTION_RATINGS.join(', ')}` })
  rating!: SatisfactionRating;

  /** Plain text; absent keeps the comment given before, empty or null removes it. */
  @IsOptional()
  @MaxLength(SATISFACTION_LIMITS.comment)
  @IsString()
  comment?: string | null;
}

export class RateTicketCommand extends SatisfactionAnswer {
  @Length(1, SATISFACTION_LIMITS.token)
  @IsString()
  token!: string;
}

/** `ticket.satisfaction_rated`: staff see the rating arrive or change (realtime, staff room only). */
export interface SatisfactionRatedData {
  /** The ticket summary as other ticket events carry it (no description, nothing staff-only). */
  ticket: Omit<TicketView, 'description' | 'aiTriage' | 'fields' | 'satisfaction'>;
  satisfaction: TicketSatisfactionView;
  /** The rating before this change, null for the first. */
  previousRating: SatisfactionRating | null;
}
