import { subjects, type AdminAlert } from '@helpdesk/contracts';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * Collects the admin alerts (critical log lines) every service publishes on a nats-server, as the
 * notification service receives them: `{ pattern, data }`, the shape of a Nest NATS event.
 */
export class AdminAlertListener {
  readonly alerts: AdminAlert[] = [];

  private constructor(private readonly connection: NatsConnection) {
    const subscription = connection.subscribe(subjects.notifications.adminAlert);
    void (async () => {
      for await (const message of subscription) this.alerts.push(message.json<{ data: AdminAlert }>().data);
    })();
  }

  static async start(natsUrl: string): Promise<AdminAlertListener> {
    const connection = await connect({ servers: natsUrl });
    const listener = new AdminAlertListener(connection);
    // The subscription is live only once the server has processed it.
    await connection.flush();
    return listener;
  }

  from(service: string, context?: string): AdminAlert[] {
    return this.alerts.filter((alert) => alert.service === service && (context === undefined || alert.context === context));
  }

  stop(): Promise<void> {
    return this.connection.close();
  }
}
