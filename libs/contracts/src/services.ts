/** The five services of the platform; a service's name is also its NATS queue group and subject segment. */
export const SERVICE_NAMES = ['gateway', 'ticket', 'notification', 'realtime', 'ai-proxy'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
