import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  SATISFACTION_LIMITS,
  type IssuedLinkToken,
  type IssueSatisfactionLinkCommand,
  type RateTicketCommand,
  type SatisfactionRatedData,
  type SatisfactionRating,
  type SatisfactionSurveyView,
  type SatisfactionTokenCommand,
} from '@helpdesk/contracts';
import { CommandError, stripToPlainText } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { hashToken, newOpaqueToken } from '../auth/opaque-token.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import { updateReturning } from '../database/update-returning.js';
import { recordHistory } from '../history/ticket-history.js';
import { DomainEvents } from '../outbox/domain-events.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { satisfactionOf, ticketEventData } from '../tickets/ticket-view.js';

const SURVEYS = `${TICKET_SCHEMA}.satisfaction_surveys`;
const CHANGEABLE_MS = SATISFACTION_LIMITS.changeableDays * 24 * 60 * 60 * 1000;
const INVALID_LINK = 'This rating link is not valid';
const EXPIRED_LINK = `This rating link has expired: ratings can be given or changed for ${SATISFACTION_LIMITS.changeableDays} days after the mail`;

interface SurveyRow {
  ticket_id: string;
  organization_id: string;
  requester_id: string;
  expires_at: Date;
  organization_name: string;
}

/**
 * Customer satisfaction (DESIGN section 15). The solved mail carries a survey link minted when the mail
 * is sent; whoever holds it may rate the ticket good or bad, add a comment and change both until the
 * link expires. The link is a bearer secret like a password reset link: only its SHA-256 is stored, one
 * per ticket, and solving the ticket again replaces it.
 */
@Injectable()
export class SatisfactionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  /**
   * For the notification service. NOT_FOUND when the ticket is gone or has another requester now;
   * CONFLICT when it was merged (merged tickets get no survey). Whether the organization asks at all
   * was decided when the mail was planned.
   */
  async issueLink(command: IssueSatisfactionLinkCommand): Promise<IssuedLinkToken> {
    const [ticket] = (await this.dataSource.query(
      `SELECT ticket.id, ticket.organization_id, ticket.requester_id,
         EXISTS (SELECT 1 FROM ${TICKET_SCHEMA}.ticket_links link WHERE link.source_id = ticket.id AND link.kind = 'merged_into') AS merged
       FROM ${TICKET_SCHEMA}.tickets ticket WHERE ticket.id = $1`,
      [command.ticketId],
    )) as Array<{ id: string; organization_id: string; requester_id: string; merged: boolean }>;
    if (!ticket || ticket.requester_id !== command.userId) throw new CommandError('NOT_FOUND', 'Ticket not found');
    if (ticket.merged) throw new CommandError('CONFLICT', 'A merged ticket gets no satisfaction survey');
    const { token, hash } = newOpaqueToken();
    const expiresAt = new Date(Date.now() + CHANGEABLE_MS);
    await this.dataSource.query(
      `INSERT INTO ${SURVEYS} (ticket_id, organization_id, requester_id, token_hash, sent_at, expires_at) VALUES ($1, $2, $3, $4, now(), $5)
       ON CONFLICT (ticket_id) DO UPDATE SET requester_id = EXCLUDED.requester_id, token_hash = EXCLUDED.token_hash, sent_at = now(), expires_at = EXCLUDED.expires_at`,
      [ticket.id, ticket.organization_id, ticket.requester_id, hash, expiresAt],
    );
    return { token, expiresAt: expiresAt.toISOString() };
  }

  async get(command: SatisfactionTokenCommand): Promise<SatisfactionSurveyView> {
    const survey = await this.findSurvey(this.dataSource.manager, command.token, false);
    const ticket = await this.dataSource.manager.findOneByOrFail(Ticket, { id: survey.ticket_id });
    return this.view(survey, ticket);
  }

  /** Gives or changes the rating, and the comment when one is sent (empty or null removes it): the same answer twice changes nothing and records nothing. */
  async rate(command: RateTicketCommand): Promise<SatisfactionSurveyView> {
    let changed = false;
    const view = await this.dataSource.transaction(async (manager) => {
      const survey = await this.findSurvey(manager, command.token, true);
      const ticket = await manager.findOneOrFail(Ticket, { where: { id: survey.ticket_id }, lock: { mode: 'for_no_key_update' } });
      const previousRating = ticket.satisfactionRating;
      // A one-click link carries only the rating: it keeps the comment given before.
      const comment = command.comment === undefined ? ticket.satisfactionComment : command.comment ? stripToPlainText(command.comment).trim() || null : null;
      if (previousRating === command.rating && ticket.satisfactionComment === comment) return this.view(survey, ticket);
      changed = true;
      // A new version: what staff see of the ticket changed, so its ETag must too (conditional GETs would answer 304 otherwise).
      const [updated] = await updateReturning<{ version: number; satisfaction_rated_at: Date; satisfaction_updated_at: Date }>(
        manager,
        `UPDATE ${TICKET_SCHEMA}.tickets SET satisfaction_rating = $2, satisfaction_comment = $3,
           satisfaction_rated_at = COALESCE(satisfaction_rated_at, now()), satisfaction_updated_at = now(), version = version + 1
         WHERE id = $1 RETURNING version, satisfaction_rated_at, satisfaction_updated_at`,
        [ticket.id, command.rating, comment],
      );
      Object.assign(ticket, {
        version: updated!.version,
        satisfactionRating: command.rating,
        satisfactionComment: comment,
        satisfactionRatedAt: updated!.satisfaction_rated_at,
        satisfactionUpdatedAt: updated!.satisfaction_updated_at,
      });
      await this.record(manager, survey, ticket, previousRating);
      return this.view(survey, ticket);
    });
    if (changed) this.events.committed();
    return view;
  }

  private async record(manager: EntityManager, survey: SurveyRow, ticket: Ticket, previousRating: SatisfactionRating | null): Promise<void> {
    const satisfaction = satisfactionOf(ticket)!;
    await recordHistory(manager, {
      organizationId: survey.organization_id,
      ticketId: ticket.id,
      actorId: survey.requester_id,
      action: 'satisfaction.rated',
      changes: { satisfaction: { from: previousRating, to: { rating: satisfaction.rating, comment: satisfaction.comment } } },
    });
    const data: SatisfactionRatedData = {
      ticket: ticketEventData(ticket),
      satisfaction,
      previousRating,
    };
    await this.events.record(manager, { type: 'ticket.satisfaction_rated', orgId: survey.organization_id, aggregateId: ticket.id, actor: { userId: survey.requester_id, role: 'customer' }, data });
  }

  private async findSurvey(manager: EntityManager, token: string, lock: boolean): Promise<SurveyRow> {
    const [survey] = (await manager.query(
      `SELECT survey.ticket_id, survey.organization_id, survey.requester_id, survey.expires_at, organization.name AS organization_name
       FROM ${SURVEYS} survey JOIN ${TICKET_SCHEMA}.organizations organization ON organization.id = survey.organization_id
       WHERE survey.token_hash = $1 ${lock ? 'FOR SHARE OF survey' : ''}`,
      [hashToken(token)],
    )) as SurveyRow[];
    if (!survey) throw new CommandError('NOT_FOUND', INVALID_LINK);
    if (survey.expires_at.getTime() <= Date.now()) throw new CommandError('NOT_FOUND', EXPIRED_LINK);
    return survey;
  }

  private view(survey: SurveyRow, ticket: Ticket): SatisfactionSurveyView {
    return {
      organizationName: survey.organization_name,
      ticket: { number: ticket.number, subject: ticket.subject },
      rating: ticket.satisfactionRating,
      comment: ticket.satisfactionComment,
      changeableUntil: survey.expires_at.toISOString(),
    };
  }
}
