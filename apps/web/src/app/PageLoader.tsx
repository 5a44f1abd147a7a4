import { Center, Loader } from '@mantine/core';
import { t } from '../i18n';

export function PageLoader() {
  return (
    <Center h="60vh">
      <Loader role="status" aria-label={t.common.loading} />
    </Center>
  );
}
