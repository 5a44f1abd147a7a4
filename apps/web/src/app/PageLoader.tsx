import { Center, Loader } from '@mantine/core';
import { t } from '../i18n';

export function PageLoader() {
  return (
    <Center h="60vh">
      <Loader aria-label={t.common.loading} />
    </Center>
  );
}
