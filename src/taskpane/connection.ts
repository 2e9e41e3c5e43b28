/**
 * The Connection section: the API address and function key. Applied to the shared
 * settings at once (the next IWM.* call uses them) and kept in this computer's
 * localStorage for the add-in's origin, never in the workbook: a shared workbook must not
 * carry a key, and the address differs between installations.
 */
import { defaultApiUrl, type SettingsStore } from '../common/settings';
import { byId, say, setFieldError } from './dom';

export const CONNECTION_KEY = 'iwm-signal-analyzer:connection:v1';

export interface Connection {
  apiUrl: string;
  apiKey: string;
}

/** The API address to use (trailing slashes dropped; empty = the default), or an error message. */
export function checkApiUrl(text: string): { ok: true; value: string } | { ok: false; error: string } {
  const t = text.trim();
  if (t === '') return { ok: true, value: defaultApiUrl() };
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    return { ok: false, error: 'API address must be a full http(s) URL, e.g. https://localhost:3000/api/v1' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, error: `API address must start with https:// or http:// (got ${url.protocol})` };
  if (url.username || url.password) return { ok: false, error: 'API address must not contain a user name or password' };
  if (url.search || url.hash) return { ok: false, error: 'API address must not have a query (?) or fragment (#)' };
  return { ok: true, value: t.replace(/\/+$/, '') };
}

/** A function key: printable characters without spaces, at most 256 (empty = none). */
export function checkApiKey(text: string): { ok: true; value: string } | { ok: false; error: string } {
  const t = text.trim();
  if (t.length > 256) return { ok: false, error: 'Function key is too long (at most 256 characters)' };
  if (!/^[\x21-\x7e]*$/.test(t))
    return { ok: false, error: 'Function key must be printable characters without spaces (as Azure shows it)' };
  return { ok: true, value: t };
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Applies the connection kept on this computer, if any (called before the first API call). */
export function applySavedConnection(settings: SettingsStore): void {
  const text = storage()?.getItem(CONNECTION_KEY);
  if (!text) return;
  try {
    const saved = JSON.parse(text) as Partial<Connection>;
    const url = checkApiUrl(String(saved.apiUrl ?? ''));
    const key = checkApiKey(String(saved.apiKey ?? ''));
    if (url.ok && key.ok) settings.update({ apiUrl: url.value, apiKey: key.value });
  } catch {
    // A damaged entry: ignore it, the defaults apply.
  }
}

export class ConnectionPanel {
  constructor(
    private readonly settings: SettingsStore,
    private readonly onApplied: () => void,
  ) {
    const s = settings.get();
    byId<HTMLInputElement>('api-url').value = s.apiUrl;
    byId<HTMLInputElement>('api-key').value = s.apiKey;
    byId('api-url-hint').textContent = `Empty for the default (${defaultApiUrl()}).`;
    byId('api-url').addEventListener('input', () => this.check());
    byId('api-key').addEventListener('input', () => this.check());
    byId('api-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.apply();
    });
  }

  private check(): Connection | null {
    const urlInput = byId<HTMLInputElement>('api-url');
    const keyInput = byId<HTMLInputElement>('api-key');
    const url = checkApiUrl(urlInput.value);
    const key = checkApiKey(keyInput.value);
    setFieldError(urlInput, byId('api-url-error'), url.ok ? undefined : url.error);
    setFieldError(keyInput, byId('api-key-error'), key.ok ? undefined : key.error);
    return url.ok && key.ok ? { apiUrl: url.value, apiKey: key.value } : null;
  }

  apply(): void {
    const message = byId('api-message');
    const connection = this.check();
    if (!connection) {
      say(message, 'Fix the highlighted value first.', 'error');
      return;
    }
    this.settings.update(connection);
    byId<HTMLInputElement>('api-url').value = connection.apiUrl;
    try {
      storage()?.setItem(CONNECTION_KEY, JSON.stringify(connection));
      say(message, 'Applied and kept on this computer.', 'success');
    } catch {
      say(message, 'Applied for this session (this computer does not allow keeping it).', 'success');
    }
    this.onApplied();
  }
}
