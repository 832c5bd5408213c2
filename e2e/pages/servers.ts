/** The step-up server's login max age (playwright.config.ts starts it with this). */
export const STEP_UP_MAX_AGE_SECONDS = 6;

/** The main server's port (playwright.config.ts reads the same variable). */
export const MAIN_PORT = Number(process.env.E2E_PORT ?? 18080);

/** The main server's in-process Klarna simulator: four ports above the app. Its /_sim/ control API needs no auth. */
export const SIMULATOR_URL = `http://127.0.0.1:${MAIN_PORT + 4}`;
