import { Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';

/** The live NATS connections this process uses, by role, so readiness checks them and not a new client. */
@Injectable()
export class NatsConnections {
  private readonly connections = new Map<string, NatsConnection>();
  private readonly expected = new Set<string>();

  /** Declares a connection readiness must wait for, before it exists. */
  expect(role: string): void {
    this.expected.add(role);
  }

  register(role: string, connection: NatsConnection): void {
    this.expected.add(role);
    this.connections.set(role, connection);
  }

  entries(): Array<[role: string, connection: NatsConnection | undefined]> {
    return [...this.expected].map((role) => [role, this.connections.get(role)]);
  }
}
