import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browser } from '@/lib/browser';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, BOREALIS_ID, partnerDetail, partners, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';

function link(tenant: string, n: number): Schemas['PortalLink'] {
  return {
    url: `https://portal.klarna.test/deep-link/${tenant}-${n}`,
    expires_at: '2026-11-21T08:01:00Z',
    jti: `jti-${n}`,
    klarna_account_id: `krn:partner:global:account:live:${tenant}`,
    partner_name: tenant,
    roles: ['merchant:admin'],
    amr: ['pwd'],
    amr_assumed: false,
  };
}

/** POST portal-link answering a fresh link per call. */
function minting() {
  let n = 0;
  return (req: SentRequest) => jsonResponse(link(req.url.split('/')[4] ?? '', ++n));
}

afterEach(() => vi.restoreAllMocks());

describe('Open in Klarna Portal', () => {
  it('on a merchant admin’s Overview mints a link on click only and sends the browser there', async () => {
    const assign = vi.spyOn(browser, 'assign').mockImplementation(() => {});
    const { sent } = stubApi({ me: personas.merchantAdmin, handlers: { [`POST /tenants/${AURORA_ID}/partner/portal-link`]: minting() } });
    renderApp('/overview');
    const button = await screen.findByRole('button', { name: 'Open in Klarna Portal' });
    expect(sent.some((r) => r.url.includes('portal-link'))).toBe(false);
    await userEvent.click(button);
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith(`https://portal.klarna.test/deep-link/${AURORA_ID}-1`));
    await userEvent.click(button);
    await vi.waitFor(() => expect(assign).toHaveBeenLastCalledWith(`https://portal.klarna.test/deep-link/${AURORA_ID}-2`));
    const posts = sent.filter((r) => r.method === 'POST' && r.url === `/api/v1/tenants/${AURORA_ID}/partner/portal-link`);
    expect(posts).toHaveLength(2);
  });

  it('says why when Klarna refuses, and stays on the page', async () => {
    const assign = vi.spyOn(browser, 'assign').mockImplementation(() => {});
    stubApi({
      handlers: {
        [`POST /tenants/${AURORA_ID}/partner/portal-link`]: () => problemResponse(409, 'conflict', 'Klarna refused to open the Portal (HTTP 403). Klarna said: The account in the token is disabled'),
      },
    });
    renderApp(`/partners/${AURORA_ID}`);
    await userEvent.click(await screen.findByRole('button', { name: 'Open in Klarna Portal' }));
    expect(await screen.findByText('Could not open the Klarna Portal')).toBeInTheDocument();
    expect(screen.getByText(/The account in the token is disabled/)).toBeInTheDocument();
    expect(assign).not.toHaveBeenCalled();
  });

  it('is not offered to a role without portal:open', async () => {
    stubApi({ me: personas.merchantFinance });
    renderApp('/overview');
    expect(await screen.findByRole('heading', { name: 'Aurora Outfitters' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Open in Klarna Portal' })).not.toBeInTheDocument();
  });

  it('is disabled, with the reason, for a partner with no Klarna account yet', async () => {
    stubApi({ handlers: { [`GET /tenants/${BOREALIS_ID}/partner`]: () => jsonResponse(partnerDetail({ ...partners.borealis, klarna_account_id: '' })) } });
    renderApp(`/partners/${BOREALIS_ID}`);
    expect(await screen.findByRole('button', { name: 'Open in Klarna Portal' })).toBeDisabled();
  });
});

describe('Continue with: the partner picker', () => {
  it('lists the partners the user may open, searches them, and opens the one picked', async () => {
    const assign = vi.spyOn(browser, 'assign').mockImplementation(() => {});
    const { sent } = stubApi({
      handlers: {
        'GET /portal/partners': (req) => {
          const q = new URL(req.url, 'http://x').searchParams.get('q');
          const all = [partners.aurora, partners.borealis];
          return jsonResponse({ items: q ? all.filter((p) => p.name.includes(q)) : all, next_cursor: null });
        },
        [`POST /tenants/${BOREALIS_ID}/partner/portal-link`]: minting(),
      },
    });
    renderApp(`/portal/choose?failed=${BOREALIS_ID}`);
    expect(await screen.findByText('The Klarna Portal could not be opened automatically')).toBeInTheDocument();
    const list = await screen.findByLabelText('Partners to open');
    expect(within(list).getByRole('region', { name: 'Aurora Outfitters' })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Search partners'), 'Bore');
    await vi.waitFor(() => expect(within(screen.getByLabelText('Partners to open')).queryByRole('region', { name: 'Aurora Outfitters' })).not.toBeInTheDocument());
    expect(sent.some((r) => r.url.startsWith('/api/v1/portal/partners?') && r.url.includes('q=Bore'))).toBe(true);
    const borealis = within(screen.getByLabelText('Partners to open')).getByRole('region', { name: 'Borealis Bikes' });
    await userEvent.click(within(borealis).getByRole('button', { name: 'Open in Klarna Portal' }));
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith(`https://portal.klarna.test/deep-link/${BOREALIS_ID}-1`));
  });

  it('says so when the role allows no Portal at all', async () => {
    stubApi({ me: personas.merchantFinance, handlers: { 'GET /portal/partners': () => problemResponse(403, 'forbidden', 'Your role does not allow portal:open.') } });
    renderApp('/portal/choose');
    expect(await screen.findByText('You cannot open the Klarna Portal')).toBeInTheDocument();
  });
});
