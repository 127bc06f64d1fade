/**
 * Browser mode's access token: `mts serve` prints a URL ending in #token=...; the fragment never reaches
 * a server. We keep it in sessionStorage (survives reloads, not other tabs) and remove it from the URL bar.
 */
const STORAGE_KEY = 'mts.token';
const FRAGMENT = /^#token=([A-Za-z0-9_-]+)/;

/** Reads (and hides) the token from the URL fragment, or falls back to the one stored for this tab. */
export function takeToken(): string | null {
  const match = FRAGMENT.exec(window.location.hash);
  if (match?.[1] !== undefined) {
    sessionStorage.setItem(STORAGE_KEY, match[1]);
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
    return match[1];
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

/** Sent on `window` when a new token took effect: screens reload what they showed with the old one. */
export const TOKEN_CHANGED_EVENT = 'mts:token-changed';

/**
 * Calls `onToken` when a token is pasted into the open tab's URL (#token=..., e.g. after `mts serve` restarted),
 * stored and hidden again as at start-up, so no reload is needed. Returns the unsubscribe function.
 */
export function watchToken(onToken: (token: string) => void): () => void {
  const listener = (): void => {
    if (!FRAGMENT.test(window.location.hash)) return;
    const token = takeToken();
    if (token !== null) onToken(token);
  };
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}
