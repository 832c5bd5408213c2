// Runs before the app loads so the first paint already uses the right colors.
// Keep the storage key in sync with src/app/theme.ts (COLOR_SCHEME_KEY).
(function () {
  var scheme = 'light';
  try {
    var stored = window.localStorage.getItem('pd-color-scheme');
    if (stored === 'light' || stored === 'dark') {
      scheme = stored;
    } else if (window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches) {
      scheme = 'dark';
    }
  } catch {
    // Storage can be unavailable (privacy mode); fall back to light.
  }
  document.documentElement.setAttribute('data-mantine-color-scheme', scheme);
})();
