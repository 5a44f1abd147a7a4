import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateWebhookCommand, ListWebhookDeliveriesCommand, ListWebhooksCommand, subjects, UpdateWebhookCommand, WebhookDeliveryRefCommand, WebhookExistsCommand, WebhookRefCommand } from '@helpdesk/contracts';
import { Webhooks } from './webhooks.service.js';

/** Sent by the gateway's admin endpoints, with the admin's principal. */
@Controller()
export class WebhooksController {
  constructor(@Inject(Webhooks) private readonly webhooks: Webhooks) {}

  @MessagePattern(subjects.webhooks.create)
  create(@Payload() command: CreateWebhookCommand) {
    return this.webhooks.create(command);
  }

  @MessagePattern(subjects.webhooks.list)
  list(@Payload() command: ListWebhooksCommand) {
    return this.webhooks.list(command);
  }

  @MessagePattern(subjects.webhooks.get)
  get(@Payload() command: WebhookRefCommand) {
    return this.webhooks.get(command.principal, command.webhookId);
  }

  @MessagePattern(subjects.webhooks.update)
  update(@Payload() command: UpdateWebhookCommand) {
    return this.webhooks.update(command);
  }

  @MessagePattern(subjects.webhooks.delete)
  delete(@Payload() command: WebhookRefCommand) {
    return this.webhooks.delete(command.principal, command.webhookId);
  }

  @MessagePattern(subjects.webhooks.listDeliveries)
  listDeliveries(@Payload() command: ListWebhookDeliveriesCommand) {
    return this.webhooks.listDeliveries(command);
  }

  @MessagePattern(subjects.webhooks.getDelivery)
  getDelivery(@Payload() command: WebhookDeliveryRefCommand) {
    return this.webhooks.getDelivery(command.principal, command.webhookId, command.deliveryId);
  }

  @MessagePattern(subjects.webhooks.redeliver)
  redeliver(@Payload() command: WebhookDeliveryRefCommand) {
    return this.webhooks.redeliver(command.principal, command.webhookId, command.deliveryId);
  }

  @MessagePattern(subjects.webhooks.test)
  test(@Payload() command: WebhookRefCommand) {
    return this.webhooks.sendTest(command.principal, command.webhookId);
  }

  /** Internal, from the ticket service (no principal: NATS permissions let only it call this). */
  @MessagePattern(subjects.webhooks.exists)
  exists(@Payload() command: WebhookExistsCommand) {
    return this.webhooks.exists(command.orgId, command.webhookId);
  }
}
