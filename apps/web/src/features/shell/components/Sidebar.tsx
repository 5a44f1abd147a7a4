import { Avatar, Button, Divider, Group, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { spotlight } from '@mantine/spotlight';
import { Link, useLocation, useNavigate } from 'react-router';
import { t } from '../../../i18n';
import { useSession } from '../../auth/hooks/session';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { ViewsNav } from '../../views/components/ViewsNav';
import { MyAvailability } from './MyAvailability';

interface Props {
  onNavigate(): void;
  onShowShortcuts(): void;
}

const ADMIN_LINKS = [
  { label: t.nav.users, to: '/admin/users' },
  { label: t.nav.teams, to: '/admin/teams' },
  { label: t.nav.slaPolicies, to: '/admin/sla-policies' },
  { label: t.nav.ticketFields, to: '/admin/ticket-fields' },
  { label: t.nav.organization, to: '/admin/organization' },
  { label: t.nav.mailboxes, to: '/admin/mailboxes' },
  { label: t.nav.macros, to: '/admin/macros' },
  { label: t.nav.triggers, to: '/admin/triggers' },
  { label: t.nav.automations, to: '/admin/automations' },
  { label: t.nav.apiTokens, to: '/admin/api-tokens' },
  { label: t.nav.natsIntegrations, to: '/admin/integrations/nats' },
  { label: t.nav.webhooks, to: '/admin/webhooks' },
  { label: t.nav.deadLetters, to: '/admin/dead-letters' },
];

export function Sidebar({ onNavigate, onShowShortcuts }: Props) {
  const me = useCurrentUser();
  const { signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const staff = me.user.role !== 'customer';

  return (
    <Stack h="100%" gap="xs">
      <Text fw={700} px="xs" visibleFrom="sm" truncate="end">
        {me.organization.name}
      </Text>
      <Button component={Link} to="/tickets/new" onClick={onNavigate} fullWidth>
        {staff ? t.nav.newTicket : t.nav.newRequest}
      </Button>
      <Button variant="default" onClick={() => spotlight.open()} fullWidth justify="space-between" rightSection={<Text size="xs" c="dimmed">Ctrl K</Text>}>
        {t.nav.search}
      </Button>
      <ScrollArea style={{ flex: 1 }}>
        <nav aria-label={t.nav.views}>
          {staff ? (
            <>
              <ViewsNav onNavigate={onNavigate} />
              <NavLink component={Link} to="/reports" label={t.nav.reports} active={location.pathname === '/reports'} onClick={onNavigate} />
            </>
          ) : (
            <NavLink component={Link} to="/tickets" label={t.nav.myRequests} active={location.pathname === '/tickets'} onClick={onNavigate} />
          )}
          {me.user.role === 'admin' ? (
            <>
              <Divider my="xs" label={t.nav.admin} labelPosition="left" />
              {ADMIN_LINKS.map((link) => (
                <NavLink key={link.to} component={Link} to={link.to} label={link.label} active={location.pathname === link.to} onClick={onNavigate} />
              ))}
            </>
          ) : null}
        </nav>
      </ScrollArea>
      {staff ? <MyAvailability /> : null}
      <Menu position="top-start" width={220}>
        <Menu.Target>
          {/* Named by its visible text (name and role) plus a hidden "User menu", as speech input expects. */}
          <UnstyledButton p="xs">
            <Group gap="xs" wrap="nowrap">
              <Avatar size="sm" radius="xl" color="indigo" aria-hidden>
                {me.user.name.slice(0, 1).toUpperCase()}
              </Avatar>
              <div style={{ minWidth: 0 }}>
                <Text size="sm" truncate="end">
                  {me.user.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {t.role[me.user.role]}
                </Text>
                <VisuallyHidden>{t.nav.userMenu}</VisuallyHidden>
              </div>
            </Group>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item component={Link} to="/settings/profile" onClick={onNavigate}>
            {t.nav.profile}
          </Menu.Item>
          <Menu.Item onClick={onShowShortcuts}>{t.nav.shortcuts}</Menu.Item>
          <Menu.Divider />
          <Menu.Item color="red" onClick={() => void signOut().finally(() => void navigate('/login'))}>
            {t.auth.logout}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </Stack>
  );
}
