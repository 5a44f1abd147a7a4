import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, OmitType } from '@nestjs/swagger';
import { CommandClient } from '@helpdesk/common';
import { CreateWebhookCommand, ListWebhookDeliveriesCommand, ListWebhooksCommand, subjects, WebhookChanges, type Page, type Principal, type WebhookDeliveryView, type WebhookView } from '@helpdesk/contracts';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers, AnswersNoContent } from '../http/api-responses.js';

/** `{ url, events, secret, description?, orderedPerTicket? }`. */
export class CreateWebhookBody extends OmitType(CreateWebhookCommand, ['principal'] as const) {}
export class ListWebhooksQuery extends OmitType(ListWebhooksCommand, ['principal'] as const) {}
/** `{ url?, events?, secret?, description?, orderedPerTicket?, active? }`. */
export class UpdateWebhookBody extends WebhookChanges {}
export class ListWebhookDeliveriesQuery extends OmitType(ListWebhookDeliveriesCommand, ['principal', 'webhookId'] as const) {}

const Id = () => UuidParam('id');
const DeliveryId = () => UuidParam('deliveryId');
const NEVER_SECRETS = 'The secret is never answered.';

/** The organization's webhooks (DESIGN section 16), answered by the notification service. */
@ApiTags('administration')
@ApiBearerAuth()
@RequiredScope('admin')
@Controller('webhooks')
export class WebhooksController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.OK, 'WebhookPage', `A page of the organization's webhooks, oldest first: \`{ items, nextCursor }\`. ${NEVER_SECRETS}`)
  @Get()
  @Roles('admin')
  list(@Caller() principal: Principal, @Query() query: ListWebhooksQuery): Promise<Page<WebhookView>> {
    return this.commands.request(subjects.webhooks.list, { principal, ...query });
  }

  @Answers(HttpStatus.CREATED, 'WebhookView', `The webhook. 400 naming the reason when the URL is refused (scheme, credentials, a private or otherwise refused address) or an event type is unknown. ${NEVER_SECRETS}`)
  @Post()
  @Roles('admin')
  create(@Caller() principal: Principal, @Body() body: CreateWebhookBody): Promise<WebhookView> {
    return this.commands.request(subjects.webhooks.create, { principal, ...body });
  }

  @Answers(HttpStatus.OK, 'WebhookView', `The webhook; 404 when it is not the organization's. ${NEVER_SECRETS}`)
  @Get(':id')
  @Roles('admin')
  get(@Caller() principal: Principal, @Id() webhookId: string): Promise<WebhookView> {
    return this.commands.request(subjects.webhooks.get, { principal, webhookId });
  }

  @Answers(HttpStatus.OK, 'WebhookView', `The changed webhook; \`active: true\` enables it again and clears its failure state. ${NEVER_SECRETS}`)
  @Patch(':id')
  @Roles('admin')
  update(@Caller() principal: Principal, @Id() webhookId: string, @Body() changes: UpdateWebhookBody): Promise<WebhookView> {
    return this.commands.request(subjects.webhooks.update, { principal, webhookId, changes });
  }

  @AnswersNoContent('Deleted, with its delivery log')
  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  async delete(@Caller() principal: Principal, @Id() webhookId: string): Promise<void> {
    await this.commands.request(subjects.webhooks.delete, { principal, webhookId });
  }

  @Answers(HttpStatus.OK, 'WebhookDeliveryPage', 'The delivery log, newest first: `{ items, nextCursor }`; `?status=pending|succeeded|failed|dead`')
  @Get(':id/deliveries')
  @Roles('admin')
  deliveries(@Caller() principal: Principal, @Id() webhookId: string, @Query() query: ListWebhookDeliveriesQuery): Promise<Page<WebhookDeliveryView>> {
    return this.commands.request(subjects.webhooks.listDeliveries, { principal, webhookId, ...query });
  }

  @Answers(HttpStatus.OK, 'WebhookDeliveryView', 'One delivery: status, attempts, latency, response code and the first 1 KB of the response')
  @Get(':id/deliveries/:deliveryId')
  @Roles('admin')
  delivery(@Caller() principal: Principal, @Id() webhookId: string, @DeliveryId() deliveryId: string): Promise<WebhookDeliveryView> {
    return this.commands.request(subjects.webhooks.getDelivery, { principal, webhookId, deliveryId });
  }

  @Answers(HttpStatus.ACCEPTED, 'WebhookDeliveryView', 'The new delivery of the same event, sent at once')
  @Post(':id/deliveries/:deliveryId/redeliver')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  redeliver(@Caller() principal: Principal, @Id() webhookId: string, @DeliveryId() deliveryId: string): Promise<WebhookDeliveryView> {
    return this.commands.request(subjects.webhooks.redeliver, { principal, webhookId, deliveryId });
  }

  @Answers(HttpStatus.ACCEPTED, 'WebhookDeliveryView', 'The delivery of a `webhook.test` event, sent whatever the webhook subscribes to')
  @Post(':id/test')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  test(@Caller() principal: Principal, @Id() webhookId: string): Promise<WebhookDeliveryView> {
    return this.commands.request(subjects.webhooks.test, { principal, webhookId });
  }
}
