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
