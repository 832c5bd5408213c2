import { lazy, type ReactNode } from 'react';
import { Navigate, useLocation, type RouteObject } from 'react-router';
import { LoginPage, RequireAction, SessionGate, useTenant } from '@/features/identity';
import { AppLayout } from './AppLayout';
import { START_PATH, navItems, type TenantKind } from './navigation';
import { NotFoundPage } from './pages/NotFoundPage';
import { RouteErrorPage } from './pages/RouteErrorPage';

// Each section is its own chunk, loaded when first visited (the layout's Suspense shows the loader).
const HomePage = lazy(() => import('@/features/home').then((m) => ({ default: m.HomePage })));
const PartnersPage = lazy(() => import('@/features/partners').then((m) => ({ default: m.PartnersPage })));
const PartnerPage = lazy(() => import('@/features/partners').then((m) => ({ default: m.PartnerPage })));
const OnboardingBoardPage = lazy(() => import('@/features/partners').then((m) => ({ default: m.OnboardingBoardPage })));
const PartnerOverviewPage = lazy(() => import('@/features/partners').then((m) => ({ default: m.PartnerOverviewPage })));
const OnboardingDraftsPage = lazy(() => import('@/features/onboarding').then((m) => ({ default: m.DraftsPage })));
const NewOnboardingPage = lazy(() => import('@/features/onboarding').then((m) => ({ default: m.NewOnboardingPage })));
const OnboardingDraftPage = lazy(() => import('@/features/onboarding').then((m) => ({ default: m.DraftPage })));
const BulkOnboardingPage = lazy(() => import('@/features/onboarding').then((m) => ({ default: m.BulkPage })));
const BulkOnboardingRunPage = lazy(() => import('@/features/onboarding').then((m) => ({ default: m.BulkRunPage })));
const DisputesPage = lazy(() => import('@/features/disputes').then((m) => ({ default: m.DisputesPage })));
const DisputeAnalyticsPage = lazy(() => import('@/features/disputes').then((m) => ({ default: m.DisputeAnalyticsPage })));
const DisputePage = lazy(() => import('@/features/disputes').then((m) => ({ default: m.DisputePage })));
const PaymentsPage = lazy(() => import('@/features/payments').then((m) => ({ default: m.PaymentsPage })));
const PaymentHealthPage = lazy(() => import('@/features/payments').then((m) => ({ default: m.PaymentHealthPage })));
const PaymentPage = lazy(() => import('@/features/payments').then((m) => ({ default: m.PaymentPage })));
const SettlementsPage = lazy(() => import('@/features/settlements').then((m) => ({ default: m.SettlementsPage })));
const PayoutPage = lazy(() => import('@/features/settlements').then((m) => ({ default: m.PayoutPage })));
const TransactionsPage = lazy(() => import('@/features/settlements').then((m) => ({ default: m.TransactionsPage })));
const CredentialsPage = lazy(() => import('@/features/credentials').then((m) => ({ default: m.CredentialsPage })));
const WebhooksPage = lazy(() => import('@/features/webhooks').then((m) => ({ default: m.WebhooksPage })));
const WebhookEventPage = lazy(() => import('@/features/webhooks').then((m) => ({ default: m.WebhookEventPage })));
const WebhookSettingsPage = lazy(() => import('@/features/webhooks').then((m) => ({ default: m.WebhookSettingsPage })));
const KlarnaCallsPage = lazy(() => import('@/features/klarnalog').then((m) => ({ default: m.KlarnaCallsPage })));
const AuditPage = lazy(() => import('@/features/audit').then((m) => ({ default: m.AuditPage })));
const SettingsPage = lazy(() => import('@/features/settings').then((m) => ({ default: m.SettingsPage })));
const UsersPage = lazy(() => import('@/features/users').then((m) => ({ default: m.UsersPage })));
const PortalChoosePage = lazy(() => import('@/features/portal').then((m) => ({ default: m.PortalChoosePage })));
const TokensPage = lazy(() => import('@/features/tokens').then((m) => ({ default: m.TokensPage })));

/** A section's page behind the same action its navigation item needs. */
function guarded(path: string, page: ReactNode, tenantScoped = false) {
  const item = navItems.find((i) => i.path === path);
  if (!item) throw new Error(`routes: no navigation item for ${path}`);
  return (
    <RequireAction action={item.action} title={item.label} tenantScoped={tenantScoped}>
      {page}
    </RequireAction>
  );
}

/** The start page: Home, in the selected tenant. */
function StartPage() {
  const { search } = useLocation();
  return <Navigate to={{ pathname: START_PATH, search }} replace />;
}

/** A section for one kind of tenant; in the other kind, its counterpart (Partners ↔ Overview). */
function ForKind({ kind, otherwise, children }: { kind: TenantKind; otherwise: string; children: ReactNode }) {
  const { tenant } = useTenant();
  const { search } = useLocation();
  if (tenant.kind !== kind) return <Navigate to={{ pathname: otherwise, search }} replace />;
  return <>{children}</>;
}

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage />, errorElement: <RouteErrorPage /> },
  {
    element: (
      <SessionGate>
        <AppLayout />
      </SessionGate>
    ),
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <StartPage /> },
      { path: 'home', element: <HomePage /> },
      { path: 'overview', element: <ForKind kind="partner" otherwise="/partners">{guarded('/overview', <PartnerOverviewPage />)}</ForKind> },
      // The directory and the board serve both kinds of tenant (a merchant sees its own partner only, the
      // API scopes them); the navigation lists them for the acquirer, a partner reaches them from Overview.
      { path: 'partners', element: guarded('/partners', <PartnersPage />) },
      { path: 'partners/onboarding', element: guarded('/partners', <OnboardingBoardPage />) },
      { path: 'partners/:tenantId', element: guarded('/partners', <PartnerPage />) },
      { path: 'onboarding', element: guarded('/onboarding', <OnboardingDraftsPage />) },
      { path: 'onboarding/new', element: guarded('/onboarding', <NewOnboardingPage />) },
      { path: 'onboarding/drafts/:id', element: guarded('/onboarding', <OnboardingDraftPage />) },
      { path: 'onboarding/bulk', element: guarded('/onboarding', <BulkOnboardingPage />) },
      { path: 'onboarding/bulk/:id', element: guarded('/onboarding', <BulkOnboardingRunPage />) },
      { path: 'disputes', element: guarded('/disputes', <DisputesPage />) },
      { path: 'disputes/analytics', element: guarded('/disputes', <DisputeAnalyticsPage />) },
      { path: 'disputes/:dispute', element: guarded('/disputes', <DisputePage />) },
      { path: 'payments', element: guarded('/payments', <PaymentsPage />) },
      { path: 'payments/health', element: guarded('/payments', <PaymentHealthPage />) },
      { path: 'payments/:payment', element: guarded('/payments', <PaymentPage />) },
      { path: 'settlements', element: guarded('/settlements', <SettlementsPage />) },
      { path: 'settlements/payouts/:payout', element: guarded('/settlements', <PayoutPage />) },
      { path: 'settlements/transactions', element: guarded('/settlements', <TransactionsPage />) },
      { path: 'credentials', element: guarded('/credentials', <CredentialsPage />) },
      { path: 'webhooks', element: guarded('/webhooks', <WebhooksPage />) },
      { path: 'webhooks/:id', element: guarded('/webhooks', <WebhookEventPage />) },
      { path: 'klarna-calls', element: guarded('/klarna-calls', <KlarnaCallsPage />) },
      { path: 'audit', element: guarded('/audit', <AuditPage />) },
      { path: 'settings', element: <SettingsPage /> },
      // "Continue with <acquirer>" (GET /portal/continue on the server) lands here to pick a partner.
      { path: 'portal/choose', element: <PortalChoosePage /> },
      { path: 'settings/users', element: guarded('/settings/users', <UsersPage />, true) },
      { path: 'settings/tokens', element: guarded('/settings/tokens', <TokensPage />) },
      {
        path: 'settings/webhooks',
        element: (
          <RequireAction action="webhook:read" title="Webhook settings">
            <WebhookSettingsPage />
          </RequireAction>
        ),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
