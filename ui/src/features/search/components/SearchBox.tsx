import { Anchor, Button, Group, Kbd, Loader, Modal, ScrollArea, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { usePhone } from '@/lib/phone';
import { hitsOf, KIND_TITLES, MAX_QUERY, searchQuery, type SearchHit } from '../api/search';

/** How long typing pauses before the box searches. */
export const SEARCH_DEBOUNCE_MS = 250;

function SearchIcon({ size = 18 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" aria-hidden="true" focusable="false">
      <circle cx="11" cy="11" r="7" />
      <path d="m20 20-3.5-3.5" />
    </svg>
  );
}

/** True when a key typed at target belongs to what the user is writing (an input, a text area, an editor). */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('[role="textbox"]') !== null;
}

/** Opens the search on `/`, unless the user is typing somewhere (then `/` is just a character). */
function useSlashShortcut(open: () => void) {
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e.target)) return;
      e.preventDefault();
      open();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
}

/**
 * The header's search box (issue 13): any Klarna id or our reference, a partner's name or e-mail. Enter opens
 * the one object an id names exactly; otherwise the matches are listed by kind (arrow keys move, Enter opens).
 */
export function SearchBox() {
  const [opened, { open, close }] = useDisclosure(false);
  const phone = usePhone();
  useSlashShortcut(open);
  return (
    <>
      {phone ? (
        <Button variant="default" size="compact-md" h={34} w={34} p={0} aria-label="Search" aria-keyshortcuts="/" onClick={open}>
          <SearchIcon />
        </Button>
      ) : (
        <Button
          variant="default"
          aria-label="Search"
          aria-keyshortcuts="/"
          onClick={open}
          leftSection={<SearchIcon size={16} />}
          rightSection={<Kbd size="xs">/</Kbd>}
          styles={{ label: { fontWeight: 400, color: 'var(--mantine-color-dimmed)' } }}
          w={{ base: 190, lg: 260 }}
          justify="space-between"
        >
          Search ids, partners…
        </Button>
      )}
      <Modal
        opened={opened}
        onClose={close}
        title="Search"
        fullScreen={phone}
        size="lg"
        yOffset="8vh"
        transitionProps={{ duration: 0 }}
        aria-label="Search Partner Desk"
      >
        {opened && <SearchPanel onDone={close} />}
      </Modal>
    </>
  );
}

/** Where a hit opens: its page, in the hit's tenant when the user holds roles there and works in another. */
function useOpenHit(onDone: () => void) {
  const navigate = useNavigate();
  const { tenant, tenants } = useTenant();
  return (hit: Pick<SearchHit, 'path' | 'tenant_id'>) => {
    let to = hit.path;
    const own = tenants.find((t) => t.id === hit.tenant_id);
    if (!tenant.all_partners && own && own.id !== tenant.id) {
      to += `${to.includes('?') ? '&' : '?'}tenant=${encodeURIComponent(own.slug)}`;
    }
    onDone();
    void navigate(to);
  };
}

function SearchPanel({ onDone }: { onDone: () => void }) {
  const [text, setText] = useState('');
  // The query searched: the text once typing pauses (or at once on Enter).
  const [searched, setSearched] = useState('');
  const [active, setActive] = useState(-1);
  const listId = useId();
  const queryClient = useQueryClient();
  const openHit = useOpenHit(onDone);

  useEffect(() => {
    const t = setTimeout(() => setSearched(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text]);

  const tooLong = text.trim().length > MAX_QUERY;
  const result = useQuery({ ...searchQuery(searched), enabled: searched !== '' && searched.length <= MAX_QUERY });
  const current = searched === text.trim() ? result.data : undefined;
  const hits = hitsOf(current);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (hits.length === 0) return;
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      // -1 is the input itself: the selection wraps through it.
      setActive((i) => {
        const next = i + step;
        if (next < -1) return hits.length - 1;
        return next >= hits.length ? -1 : next;
      });
      return;
    }
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const chosen = hits[active];
    if (chosen) {
      openHit(chosen);
      return;
    }
    const q = text.trim();
    if (q === '' || q.length > MAX_QUERY) return;
    setSearched(q);
    // The answer may not be here yet (typing has not paused): ask, then open the exact match.
    void queryClient.fetchQuery(searchQuery(q)).then(
      (res) => {
        if (res.exact) openHit(res.exact);
      },
      () => undefined, // the panel shows the error from the query
    );
  };

  const error = result.error instanceof ApiError ? result.error : undefined;
  const activeId = hits[active] ? `${listId}-${active}` : undefined;
  return (
    <Stack gap="sm">
      <TextInput
        data-autofocus
        aria-label="Search for an id, a reference, a partner or an e-mail address"
        placeholder="Klarna id, payout reference, order id, partner name, e-mail…"
        leftSection={<SearchIcon size={16} />}
        rightSection={result.isFetching ? <Loader size="xs" aria-label="Searching" /> : undefined}
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        error={tooLong ? `At most ${MAX_QUERY} characters` : error?.fieldError('q')}
        role="combobox"
        aria-expanded={hits.length > 0}
        aria-controls={listId}
        aria-activedescendant={activeId}
        autoComplete="off"
        spellCheck={false}
      />
      {text.trim() === '' ? (
        <Text size="sm" c="dimmed">
          Paste any Klarna id or your reference — partner account, business entity, payment account, store, dispute, payment request, order,
          capture, refund, payout reference, webhook event — or type a partner&rsquo;s name or e-mail. An id of exactly one object opens it on{' '}
          <Kbd size="xs">Enter</Kbd>.
        </Text>
      ) : error && !error.fieldError('q') ? (
        <Text size="sm" c="red" role="alert">
          {error.message}
        </Text>
      ) : current && hits.length === 0 ? (
        <Stack gap={4} role="status" py="md" ta="center">
          <Text fw={600}>Nothing found for “{searched}”</Text>
          <Text size="sm" c="dimmed">
            Check the id for a typo, or search for a partner&rsquo;s name. You only find what your roles let you see.
          </Text>
        </Stack>
      ) : (
        current && (
          <ScrollArea.Autosize mah={{ base: 'calc(100dvh - 160px)', sm: '60vh' }} type="auto">
            <Stack gap="md" id={listId} role="listbox" aria-label="Search results">
              {current.groups.map((g) => (
                <Stack key={g.kind} gap={2} role="group" aria-label={KIND_TITLES[g.kind]}>
                  <Group justify="space-between" gap="xs">
                    <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                      {KIND_TITLES[g.kind]}
                    </Text>
                    {g.more && g.more_path && (
                      <Anchor component={Link} to={g.more_path} size="xs" onClick={onDone}>
                        All matches
                      </Anchor>
                    )}
                  </Group>
                  {g.items.map((hit) => {
                    const i = hits.indexOf(hit);
                    const selected = i === active;
                    return (
                      <UnstyledButton
                        key={`${hit.kind}/${hit.id}`}
                        id={`${listId}-${i}`}
                        role="option"
                        aria-selected={selected}
                        onClick={() => openHit(hit)}
                        onMouseEnter={() => setActive(i)}
                        px="xs"
                        py={6}
                        style={{
                          borderRadius: 'var(--mantine-radius-sm)',
                          background: selected ? 'var(--mantine-color-default-hover)' : undefined,
                        }}
                      >
                        <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
                          <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                            {hit.label}
                          </Text>
                          {hit.tenant_name && (
                            <Text size="xs" c="dimmed" style={{ flexShrink: 0, maxWidth: '40%' }} truncate>
                              {hit.tenant_name}
                            </Text>
                          )}
                        </Group>
                        {hit.secondary && (
                          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                            {hit.secondary}
                          </Text>
                        )}
                      </UnstyledButton>
                    );
                  })}
                </Stack>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )
      )}
    </Stack>
  );
}
