import { useMediaQuery } from '@mantine/hooks';

/** Below Mantine's `sm` breakpoint (48em, 768 px): a phone, where the layout folds. */
export const PHONE_QUERY = '(max-width: 47.99em)';

/** True on a phone-sized viewport (read at once, so the first render already has the right layout). */
export function usePhone(): boolean {
  return useMediaQuery(PHONE_QUERY, false, { getInitialValueInEffect: false });
}
