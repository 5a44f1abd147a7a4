/** Carries the request id of the originating HTTP request through every NATS command, for log correlation. */
export const REQUEST_ID_HEADER = 'x-request-id';
