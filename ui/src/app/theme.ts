import { Badge, createTheme, localStorageColorSchemeManager } from '@mantine/core';

/** localStorage key of the remembered color scheme; public/color-scheme.js reads it too. */
export const COLOR_SCHEME_KEY = 'pd-color-scheme';

export const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_KEY });

export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  headings: { fontWeight: '650' },
  components: {
    // A badge keeps its words in a narrow table cell: Mantine's label hides
    // its overflow, so a table would otherwise squeeze "Operational" to "Op…".
    Badge: Badge.extend({ styles: { root: { minWidth: 'max-content' } } }),
  },
});
