import { BadRequestException, Body, Controller, Get, HttpStatus, Inject, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandClient, Public } from '@helpdesk/common';
import { SATISFACTION_LIMITS, SatisfactionAnswer, subjects, type SatisfactionSurveyView } from '@helpdesk/contracts';
import { Answers } from '../http/api-responses.js';

const SURVEY_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The survey link's token: 43 base64url characters; anything else is a 400 before any lookup. */
const TokenParam = () =>
  Param('token', {
    transform(value: string) {
      if (!SURVEY_TOKEN.test(value)) throw new BadRequestException([`token must be the ${SATISFACTION_LIMITS.token} characters of a rating link`]);
      return value;
    },
  });

/**
 * The public rating page's API (DESIGN section 15): the solved mail's survey link is the only
 * credential, so no session and no API token; the anonymous per-address rate limit applies.
 */
@ApiTags('satisfaction')
@Public()
@Controller('satisfaction')
export class SatisfactionController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.OK, 'SatisfactionSurveyView', 'The ticket the link rates (number and subject), the rating and comment given so far, and until when they can be changed; 404 when the link is unknown or expired')
  @Get(':token')
  get(@TokenParam() token: string): Promise<SatisfactionSurveyView> {
    return this.commands.request(subjects.satisfaction.get, { token });
  }

  @Answers(HttpStatus.OK, 'SatisfactionSurveyView', '`{ rating: "good" | "bad", comment? }` gives or changes the rating (plain text comment, up to 2,000 characters; absent keeps the one given before, empty or null removes it); the survey as it now stands')
  @Put(':token')
  rate(@TokenParam() token: string, @Body() answer: SatisfactionAnswer): Promise<SatisfactionSurveyView> {
    return this.commands.request(subjects.satisfaction.rate, { token, ...answer });
  }
}
