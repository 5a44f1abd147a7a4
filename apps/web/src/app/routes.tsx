import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { PageLoader } from './PageLoader';
import { RequireAuth } from './RequireAuth';
import { loadQueuePage, loadShell } from './route-chunks';

/** Every page is its own chunk: the login page loads none of the workspace's code. */
const named = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));

const LoginPage = named(() => import('../features/auth/components/LoginPage'), 'LoginPage');
const SignupPage = named(() => import('../features/auth/components/SignupPage'), 'SignupPage');
const ResetPasswordPage = named(() => import('../features/auth/components/ResetPasswordPage'), 'ResetPasswordPage');
const AcceptInvitePage = named(() => import('../features/auth/components/AcceptInvitePage'), 'AcceptInvitePage');
const VerifyEmailPage = named(() => import('../features/auth/components/VerifyEmailPage'), 'VerifyEmailPage');
const RatePage = named(() => import('../features/satisfaction/components/RatePage'), 'RatePage');
const Shell = named(loadShell, 'Shell');
const QueuePage = named(loadQueuePage, 'QueuePage');
const NewTicketPage = named(() => import('../features/tickets/components/NewTicketPage'), 'NewTicketPage');
const TicketPage = named(() => import('../features/ticket/components/TicketPage'), 'TicketPage');
const ProfilePage = named(() => import('../features/profile/components/ProfilePage'), 'ProfilePage');
const UsersPage = named(() => import('../features/admin/components/UsersPage'), 'UsersPage');
const TeamsPage = named(() => import('../features/admin/components/TeamsPage'), 'TeamsPage');
const SlaPoliciesPage = named(() => import('../features/admin/components/SlaPoliciesPage'), 'SlaPoliciesPage');
const TicketFieldsPage = named(() => import('../features/ticket-fields/components/TicketFieldsPage'), 'TicketFieldsPage');
const OrganizationPage = named(() => import('../features/admin/components/OrganizationPage'), 'OrganizationPage');
const DeadLettersPage = named(() => import('../features/admin/components/DeadLettersPage'), 'DeadLettersPage');
const MailboxesPage = named(() => import('../features/admin/components/MailboxesPage'), 'MailboxesPage');
const ApiTokensPage = named(() => import('../features/api-tokens/components/ApiTokensPage'), 'ApiTokensPage');
const NatsIntegrationsPage = named(() => import('../features/nats-integrations/components/NatsIntegrationsPage'), 'NatsIntegrationsPage');
const WebhooksPage = named(() => import('../features/webhooks/components/WebhooksPage'), 'WebhooksPage');
const MacrosPage = named(() => import('../features/macros/components/MacrosPage'), 'MacrosPage');
const TriggersPage = named(() => import('../features/triggers/components/TriggersPage'), 'TriggersPage');
const AutomationsPage = named(() => import('../features/automations/components/AutomationsPage'), 'AutomationsPage');
const ReportsPage = named(() => import('../features/reports/components/ReportsPage'), 'ReportsPage');
const NotFoundPage = named(() => import('./NotFoundPage'), 'NotFoundPage');

const admin = ['admin'];
const staff = ['admin', 'agent'];

export function AppRoutes() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/signup" element={<SignupPage />} />
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route path="/accept-invite" element={<AcceptInvitePage />} />
        <Route path="/verify-email" element={<VerifyEmailPage />} />
        <Route path="/rate/:token" element={<RatePage />} />
        <Route
          element={
            <RequireAuth>
              <Shell />
            </RequireAuth>
          }
        >
          <Route index element={<Navigate to="/tickets" replace />} />
          <Route path="/tickets" element={<QueuePage />} />
          <Route path="/tickets/new" element={<NewTicketPage />} />
          <Route path="/tickets/:id" element={<TicketPage />} />
          <Route path="/settings/profile" element={<ProfilePage />} />
          <Route path="/reports" element={<RequireAuth roles={staff}><ReportsPage /></RequireAuth>} />
          <Route path="/admin" element={<Navigate to="/admin/users" replace />} />
          <Route path="/admin/users" element={<RequireAuth roles={admin}><UsersPage /></RequireAuth>} />
          <Route path="/admin/teams" element={<RequireAuth roles={admin}><TeamsPage /></RequireAuth>} />
          <Route path="/admin/sla-policies" element={<RequireAuth roles={admin}><SlaPoliciesPage /></RequireAuth>} />
          <Route path="/admin/ticket-fields" element={<RequireAuth roles={admin}><TicketFieldsPage /></RequireAuth>} />
          <Route path="/admin/organization" element={<RequireAuth roles={admin}><OrganizationPage /></RequireAuth>} />
          <Route path="/admin/dead-letters" element={<RequireAuth roles={admin}><DeadLettersPage /></RequireAuth>} />
          <Route path="/admin/mailboxes" element={<RequireAuth roles={admin}><MailboxesPage /></RequireAuth>} />
          <Route path="/admin/macros" element={<RequireAuth roles={admin}><MacrosPage /></RequireAuth>} />
          <Route path="/admin/triggers" element={<RequireAuth roles={admin}><TriggersPage /></RequireAuth>} />
          <Route path="/admin/automations" element={<RequireAuth roles={admin}><AutomationsPage /></RequireAuth>} />
          <Route path="/admin/api-tokens" element={<RequireAuth roles={admin}><ApiTokensPage /></RequireAuth>} />
          <Route path="/admin/integrations/nats" element={<RequireAuth roles={admin}><NatsIntegrationsPage /></RequireAuth>} />
          <Route path="/admin/webhooks" element={<RequireAuth roles={admin}><WebhooksPage /></RequireAuth>} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
