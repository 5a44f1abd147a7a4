import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { t } from '../i18n';

export function NotFoundPage() {
  return (
    <Stack p="md">
      <Title order={1}>404</Title>
      <Text>{t.notFound}</Text>
      <Anchor component={Link} to="/tickets">
        {t.nav.allTickets}
      </Anchor>
    </Stack>
  );
}
