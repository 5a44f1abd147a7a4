import { ApiProperty, OmitType } from '@nestjs/swagger';
import { CreateNatsIntegrationCommand, ListNatsIntegrationsCommand, type CreatedNatsIntegrationView, type NatsIntegrationAccess, type NatsIntegrationView, type PublicCommandName } from '@helpdesk/contracts';

/** `{ name }`. */
export class CreateNatsIntegrationBody extends OmitType(CreateNatsIntegrationCommand, ['principal', 'integrationId', 'natsUser'] as const) {}
/** `?limit=&cursor=`. */
export class ListNatsIntegrationsQuery extends OmitType(ListNatsIntegrationsCommand, ['principal'] as const) {}

/** Response schemas: documentation only. */
export class NatsIntegrationResponse implements NatsIntegrationView {
  @ApiProperty({ format: 'uuid', description: 'Part of its command subjects' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The NATS user (nkey public key) its credentials are for; not a secret', example: 'UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4' }) natsUser!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The admin who created it; the integration acts as them' }) createdBy!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Its last public command; updated at most once a minute' }) lastUsedAt!: string | null;
}

export class NatsIntegrationAccessResponse implements NatsIntegrationAccess {
  @ApiProperty({ example: 'tls://nats.helpdesk.example.com:4222' }) serverUrl!: string;
  @ApiProperty({ description: 'Connect with this inboxPrefix: the credentials allow replies only there' }) inboxPrefix!: string;
  @ApiProperty({ example: 'helpdesk.v1.public.events.<orgId>.>' }) events!: string;
  @ApiProperty({ description: 'The JetStream stream holding the organization\'s events' }) stream!: string;
  @ApiProperty({ description: 'The subject of each public command, by name', type: 'object', additionalProperties: { type: 'string' } }) commands!: Record<PublicCommandName, string>;
}

export class CreatedNatsIntegrationResponse implements CreatedNatsIntegrationView {
  @ApiProperty({ type: NatsIntegrationResponse }) integration!: NatsIntegrationResponse;
  @ApiProperty({ description: 'A NATS .creds file (user JWT and seed). Shown only in this answer: it is not stored' }) credentials!: string;
  @ApiProperty({ type: NatsIntegrationAccessResponse }) access!: NatsIntegrationAccessResponse;
}
