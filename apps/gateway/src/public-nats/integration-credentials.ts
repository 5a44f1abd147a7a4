/**
 * Mints and revokes integrations' NATS users on the public server, and makes sure an organization's
 * events stream exists there: PublicNatsAuthority (operator mode, the account's signing key).
 */
export interface IntegrationCredentialsIssuer {
  issueIntegrationCredentials(integration: { organizationId: string; integrationId: string; name: string }): Promise<{ userPublicKey: string; creds: string }>;
  revokeIntegrationCredentials(userPublicKey: string): Promise<void>;
  ensureOrganizationStream(organizationId: string): Promise<void>;
}

export const INTEGRATION_CREDENTIALS = Symbol('INTEGRATION_CREDENTIALS');
