import { Alert } from '@mantine/core';
import { useNetwork } from '@mantine/hooks';
import { t } from '../i18n';

export function OfflineBanner() {
  const { online } = useNetwork();
  if (online) return null;
  return (
    <Alert color="orange" radius={0} role="status" title={t.errors.offline} style={{ position: 'sticky', top: 0, zIndex: 300 }} />
  );
}
