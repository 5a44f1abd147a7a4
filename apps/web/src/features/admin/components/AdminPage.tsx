import { Alert, Loader, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';

/** Title, loading and error states shared by the admin pages. */
export function AdminPage({ title, loading, error, children }: { title: string; loading?: boolean; error?: unknown; children: ReactNode }) {
  return (
    <Stack p={{ base: 'xs', sm: 'md' }} gap="sm">
      <Title order={1} size="h3">
        {title}
      </Title>
      {error ? (
        <Alert color="red" role="alert">
          {describeError(error)}
        </Alert>
      ) : null}
      {loading ? <Loader role="status" aria-label={t.common.loading} /> : children}
    </Stack>
  );
}
