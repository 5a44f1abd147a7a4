import { createApiClient } from './api-client';

/** The app's single API client (same origin as the gateway). */
export const api = createApiClient();
