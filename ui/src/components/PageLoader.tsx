import { Center, Loader } from '@mantine/core';

/** Shown while a page's code or first data is loading. */
export function PageLoader({ label = 'Loading page' }: { label?: string }) {
  return (
    <Center mih={240} role="status" aria-live="polite">
      <Loader aria-label={label} />
    </Center>
  );
}
