import type { SatisfactionRating, SatisfactionSurveyView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';

const surveyPath = (token: string) => `/api/v1/satisfaction/${encodeURIComponent(token)}`;

/** The survey link's token is the only credential: no session is sent or needed. */
export const getSurvey = (token: string) => api.call<SatisfactionSurveyView>(surveyPath(token), { authenticated: false });

/** Without `comment` the one given before stays; an empty one removes it. */
export const rate = (token: string, body: { rating: SatisfactionRating; comment?: string }) =>
  api.call<SatisfactionSurveyView>(surveyPath(token), { method: 'PUT', body, authenticated: false });
