/** The step-up server's login max age (playwright.config.ts starts it with this). */
export const STEP_UP_MAX_AGE_SECONDS = 6;
