import { Container, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { t } from '../../../i18n';

/** The calm frame of the account pages: the product's name, a title and one card. */
export function AuthLayout({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <Container size={420} py="xl" component="main">
      <Stack gap="xs" align="center" mb="md">
        <Text fw={700} c="indigo">
          {t.appName}
        </Text>
        <Title order={1} size="h2" ta="center">
          {title}
        </Title>
      </Stack>
      <Paper withBorder shadow="sm" p="lg" radius="md">
        {children}
      </Paper>
      {footer ? (
        <Stack gap={4} mt="md" align="center">
          {footer}
        </Stack>
      ) : null}
    </Container>
  );
}

