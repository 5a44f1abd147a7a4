import '@mantine/spotlight/styles.css';
import { Alert, AppShell, Burger, Group, Text } from '@mantine/core';
import { useDisclosure, useHotkeys } from '@mantine/hooks';
import { Suspense, useState } from 'react';
import { Outlet } from 'react-router';
import { PageLoader } from '../../../app/PageLoader';
import { t } from '../../../i18n';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { RealtimeProvider, useRealtime } from '../../realtime/hooks/realtime';
import { CommandPalette } from './CommandPalette';
import { ShortcutsModal } from './ShortcutsModal';
import { Sidebar } from './Sidebar';

function ReconnectingBanner() {
  const { reconnecting } = useRealtime();
  if (!reconnecting) return null;
  return <Alert color="yellow" radius={0} role="status" title={t.errors.reconnecting} />;
}

/** The signed-in frame: sidebar, header on small screens, command palette, shortcuts, live updates. */
export function Shell() {
  const me = useCurrentUser();
  const [navigationOpen, navigation] = useDisclosure(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  // `?` arrives as key "?" with Shift held; Mantine matches the key, so "shift+/" never fired.
  useHotkeys([['shift+?', () => setShortcutsOpen(true)]]);

  return (
    <RealtimeProvider>
      <AppShell header={{ height: 48 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !navigationOpen } }} padding={0}>
        <AppShell.Header hiddenFrom="sm">
          <Group h="100%" px="sm">
            <Burger opened={navigationOpen} onClick={navigation.toggle} size="sm" aria-label={t.nav.openNavigation} />
            <Text fw={700}>{me.organization.name}</Text>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label={t.nav.main}>
          <Sidebar onNavigate={navigation.close} onShowShortcuts={() => setShortcutsOpen(true)} />
        </AppShell.Navbar>
        <AppShell.Main>
          <ReconnectingBanner />
          <Suspense fallback={<PageLoader />}>
            <Outlet />
          </Suspense>
        </AppShell.Main>
      </AppShell>
      <CommandPalette />
      <ShortcutsModal opened={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
    </RealtimeProvider>
  );
}
