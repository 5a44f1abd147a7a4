import { plainToInstance, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNumber, IsString, Length, Matches, Max, Min, ValidateNested, validateSync, type ValidationError } from 'class-validator';
import { AI_CATEGORIES, AI_SENTIMENTS, TICKET_PRIORITIES, type AiCategory, type AiSentiment, type TicketPriority } from '@helpdesk/contracts';

const confidence = { type: 'number', minimum: 0, maximum: 1 } as const;
const scored = (value: object) => ({ type: 'object', additionalProperties: false, required: ['value', 'confidence'], properties: { value, confidence } });

/** The JSON schema sent as `response_format` for triage (strict: every property required, nothing else allowed). */
export const TRIAGE_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['category', 'priority', 'sentiment', 'language', 'tags'],
  properties: {
    category: scored({ type: 'string', enum: [...AI_CATEGORIES] }),
    priority: scored({ type: 'string', enum: [...TICKET_PRIORITIES] }),
    sentiment: scored({ type: 'string', enum: [...AI_SENTIMENTS] }),
    language: scored({ type: 'string', description: 'ISO 639-1 code of the ticket language' }),
    tags: { type: 'array', maxItems: 5, items: scored({ type: 'string' }) },
  },
} as const;

export const SUGGESTED_REPLY_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['reply', 'language'],
  properties: { reply: { type: 'string' }, language: { type: 'string', description: 'ISO 639-1 code of the reply language' } },
} as const;

abstract class Score {
  @Max(1)
  @Min(0)
  @IsNumber()
  confidence!: number;
}
class CategoryScore extends Score {
  @IsIn(AI_CATEGORIES)
  value!: AiCategory;
}
class PriorityScore extends Score {
  @IsIn(TICKET_PRIORITIES)
  value!: TicketPriority;
}
class SentimentScore extends Score {
  @IsIn(AI_SENTIMENTS)
  value!: AiSentiment;
}
class LanguageScore extends Score {
  @Matches(/^([a-z]{2}|und)$/)
  value!: string;
}
class TagScore extends Score {
  @Length(1, 50)
  @IsString()
  value!: string;
}

export class TriageOutput {
  @ValidateNested()
  @Type(() => CategoryScore)
  category!: CategoryScore;

  @ValidateNested()
  @Type(() => PriorityScore)
  priority!: PriorityScore;

  @ValidateNested()
  @Type(() => SentimentScore)
  sentiment!: SentimentScore;

  @ValidateNested()
  @Type(() => LanguageScore)
  language!: LanguageScore;

  @ValidateNested({ each: true })
  @ArrayMaxSize(5)
  @IsArray()
  @Type(() => TagScore)
  tags!: TagScore[];
}

export class SuggestedReplyOutput {
  @Length(1, 20_000)
  @IsString()
  reply!: string;

  @Matches(/^([a-z]{2}|und)$/)
  language!: string;
}

/** Parses and validates the model's JSON; answers the problems (no model text) when it does not fit. */
export function parseModelJson<T extends object>(cls: new () => T, content: string): { value: T } | { problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { problems: ['the answer is not JSON'] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problems: ['the answer is not a JSON object'] };
  const value = plainToInstance(cls, parsed);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length === 0 ? { value } : { problems: flatten(errors) };
}

function flatten(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((error) => {
    const property = path ? `${path}.${error.property}` : error.property;
    return [...Object.keys(error.constraints ?? {}).map((constraint) => `${property}: ${constraint}`), ...flatten(error.children ?? [], property)];
  });
}
