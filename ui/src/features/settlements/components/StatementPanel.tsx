import { Alert, Button, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { Fact } from '@/components/Fact';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { partnerChoicesQuery } from '@/features/partners';
import { formatMoney } from '@/lib/format';
import { lastMonth, statementPdfUrl, statementQuery, type CurrencyStatement } from '../api/home';

function CurrencyBlock({ cs }: { cs: CurrencyStatement }) {
  const m = (v: number) => formatMoney(v, cs.currency);
  return (
    <Paper withBorder p="md" radius="md" aria-label={`Statement in ${cs.currency}`} component="section">
      <Title order={4} mb="xs">
        {cs.currency}
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Fact label="Opening debt balance">{m(cs.opening_debt)}</Fact>
        <Fact label={`Paid out (${cs.payouts.length} payouts)`}>{m(cs.paid)}</Fact>
        <Fact label="Net of all settlements">{m(cs.net)}</Fact>
        <Fact label="Closing debt balance">{m(cs.closing_debt)}</Fact>
      </SimpleGrid>
      {cs.unreconciled.length > 0 && (
        <Alert color="orange" mt="sm" title="Does not reconcile">
          The lines of {cs.unreconciled.join(', ')} do not add up to their totals.
        </Alert>
      )}
      {cs.breaks.length > 0 && (
        <Alert color="yellow" mt="sm" title="A balance does not follow on">
          The opening balance of {cs.breaks.join(', ')} is not what the payout before closed with: a report may be missing.
        </Alert>
      )}
      <KlarnaSummary cs={cs} />
    </Paper>
  );
}

/** Klarna's own payout summary of the month beside the stored payouts: agreeing, or how much differs. */
function KlarnaSummary({ cs }: { cs: CurrencyStatement }) {
  const k = cs.klarna_summary;
  if (!k) return null;
  const m = (v: number) => formatMoney(v, cs.currency);
  if (k.difference === 0)
    return (
      <Text size="sm" c="teal" mt="sm" data-klarna-summary="agrees">
        ✓ Klarna&apos;s payout summary for the month agrees: {m(k.settlement_amount)} settled.
      </Text>
    );
  return (
    <Alert color="orange" mt="sm" title="Klarna's payout summary differs" data-klarna-summary="differs">
      Klarna says {m(k.settlement_amount)} was settled this month,{' '}
      {k.difference > 0
        ? `${m(k.difference)} more than the payouts stored here: a payout may be missing (the next sync reads it).`
        : `${m(-k.difference)} less than the payouts stored here.`}
    </Alert>
  );
}

/**
 * A partner's statement of one month: opening debt, payouts and closing balance per currency, with the
 * PDF a finance team files. An acquirer user picks the partner; a merchant sees its own.
 */
export function StatementPanel() {
  const { tenant, can } = useTenant();
  const merchant = tenant.kind === 'partner';
  const partners = useQuery({ ...partnerChoicesQuery, enabled: !merchant });
  const [chosen, setChosen] = useState<string | null>(null);
  const [month, setMonth] = useState(lastMonth());
  const partner = merchant ? tenant.id : (chosen ?? partners.data?.[0]?.value ?? '');
  const statement = useQuery(statementQuery(partner, month));
  const validMonth = /^\d{4}-\d{2}$/.test(month);

  return (
    <Stack gap="sm">
      <Group align="flex-end" wrap="wrap">
        {!merchant && <Select label="Partner" data={partners.data ?? []} value={partner || null} onChange={setChosen} searchable allowDeselect={false} w={260} />}
        <TextInput label="Month" type="month" value={month} onChange={(e) => setMonth(e.currentTarget.value)} error={validMonth ? undefined : 'A month such as 2026-11'} w={180} />
        {can('settlement:export') && partner && validMonth && (
          <Button component="a" href={statementPdfUrl(partner, month)} variant="default">
            Download PDF
          </Button>
        )}
      </Group>
      {!partner ? (
        <Text size="sm" c="dimmed">
          No partner to show a statement for.
        </Text>
      ) : statement.error ? (
        <ErrorPanel error={statement.error} title="The statement could not be loaded" onRetry={() => void statement.refetch()} />
      ) : !validMonth ? null : !statement.data ? (
        <PageLoader label="Loading the statement" />
      ) : statement.data.currencies.length === 0 ? (
        <EmptyState title="Nothing to state">
          {statement.data.partner_name} had no payout in {month} and no debt carried into it.
        </EmptyState>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            <b>{statement.data.partner_name}</b>, {month}. Amounts as Klarna reported them.
          </Text>
          {statement.data.klarna_summary_error && (
            <Text size="sm" c="dimmed">
              {statement.data.klarna_summary_error}
            </Text>
          )}
          {statement.data.currencies.map((cs) => (
            <CurrencyBlock key={cs.currency} cs={cs} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
