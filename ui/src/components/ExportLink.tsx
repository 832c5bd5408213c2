// The export button of every list: a link to the CSV (so it can be copied or opened), whose click
// streams the file and counts its rows as they arrive, so a large export shows that it is moving.
import { Button } from '@mantine/core';
import { useState, type MouseEvent } from 'react';
import { notify } from '@/lib/notify';

const count = new Intl.NumberFormat();

/** The file name a Content-Disposition header gives, or the last part of the address. */
export function fileNameOf(disposition: string | null, href: string): string {
  const m = disposition?.match(/filename="?([^";]+)"?/);
  return m?.[1] ?? href.split('?')[0]?.split('/').pop() ?? 'export.csv';
}

export function ExportLink({ href, label = 'Export CSV' }: { href: string; label?: string }) {
  const [rows, setRows] = useState<number | null>(null);

  const run = async (e: MouseEvent) => {
    // Without streams (old browsers), the plain link downloads.
    if (typeof ReadableStream === 'undefined' || rows !== null) return;
    e.preventDefault();
    setRows(0);
    try {
      const res = await fetch(href, { credentials: 'same-origin' });
      if (!res.ok || !res.body) throw new Error(`the server answered ${res.status}`);
      const reader = res.body.getReader();
      const parts: Uint8Array[] = [];
      let lines = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        for (const b of value) if (b === 10) lines += 1;
        setRows(Math.max(0, lines - 1)); // the header is not a row
      }
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: res.headers.get('Content-Type') ?? 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(res.headers.get('Content-Disposition'), href);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      notify({ color: 'green', title: 'Export ready', message: `${count.format(Math.max(0, lines - 1))} rows.` });
    } catch (err) {
      notify({ color: 'red', title: 'The export failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      setRows(null);
    }
  };

  return (
    <Button component="a" href={href} variant="default" size="sm" download onClick={(e: MouseEvent) => void run(e)} aria-busy={rows !== null}>
      {rows === null ? label : `Exporting… ${count.format(rows)} rows`}
    </Button>
  );
}
