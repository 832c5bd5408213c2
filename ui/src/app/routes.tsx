import { lazy } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { AppLayout } from './AppLayout';
import { NotFoundPage } from './pages/NotFoundPage';
import { RouteErrorPage } from './pages/RouteErrorPage';

// Each section is its own chunk, loaded when first visited (the layout's Suspense shows the loader).
const PartnersPage = lazy(() => import('@/features/partners').then((m) => ({ default: m.PartnersPage })));
const DisputesPage = lazy(() => import('@/features/disputes').then((m) => ({ default: m.DisputesPage })));
const SettlementsPage = lazy(() => import('@/features/settlements').then((m) => ({ default: m.SettlementsPage })));
const WebhooksPage = lazy(() => import('@/features/webhooks').then((m) => ({ default: m.WebhooksPage })));
const AuditPage = lazy(() => import('@/features/audit').then((m) => ({ default: m.AuditPage })));
const SettingsPage = lazy(() => import('@/features/settings').then((m) => ({ default: m.SettingsPage })));

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <Navigate to="/partners" replace /> },
      { path: 'partners', element: <PartnersPage /> },
      { path: 'disputes', element: <DisputesPage /> },
      { path: 'settlements', element: <SettlementsPage /> },
      { path: 'webhooks', element: <WebhooksPage /> },
      { path: 'audit', element: <AuditPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
