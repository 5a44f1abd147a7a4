import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stripToPlainText } from '@helpdesk/common';
import { AI_CATEGORIES, AI_TRAINING_EXAMPLES_MAX, type AiCategory, type AiTrainingExamplesCommand, type AiTrainingExamplesReply } from '@helpdesk/contracts';
import { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';

const EXAMPLE_CHARS = 2_000;

/**
 * An organization's solved and closed tickets that staff tagged with a category name (for example
 * `billing`): the final word on their category, from which the offline classifier learns.
 */
@Injectable()
export class AiTrainingService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async examples({ orgId }: AiTrainingExamplesCommand): Promise<AiTrainingExamplesReply> {
    const rows = (await this.dataSource.query(
      `SELECT subject, description, tags FROM ${TICKET_SCHEMA}.tickets
        WHERE organization_id = $1 AND status IN ('solved', 'closed') AND tags && $2::text[]
        ORDER BY resolved_at DESC NULLS LAST LIMIT $3`,
      [orgId, [...AI_CATEGORIES], AI_TRAINING_EXAMPLES_MAX],
    )) as Array<{ subject: string; description: string; tags: string[] }>;
    return {
      examples: rows.map((row) => ({
        text: `${row.subject}\n${stripToPlainText(row.description)}`.slice(0, EXAMPLE_CHARS),
        category: row.tags.find((tag): tag is AiCategory => (AI_CATEGORIES as readonly string[]).includes(tag))!,
      })),
    };
  }
}
