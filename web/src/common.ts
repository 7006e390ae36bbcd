// Shared by the three pages: the session token, JSON calls, authorised images and a tiny DOM
// builder. Text always goes in as text nodes: evidence (OCR text, paths) is never parsed as HTML.

const TOKEN_KEY = 'clues-token';

export interface Me {
  name: string;
  role: 'analyst' | 'reviewer' | 'tagger' | 'admin';
  settings: { unblurThumbnails: boolean };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | number | undefined | ((e: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

export const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el;
};

export const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token()}`);
  if (init.body && typeof init.body === 'string') headers.set('content-type', 'application/json');
  const res = await fetch(path, { ...init, headers });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(res.status, body.error ?? `request failed (${res.status})`);
  }
  return (await res.json()) as T;
}

/** Images need the bearer token too, so they are fetched and shown as blob URLs. */
export async function authorisedImage(img: HTMLImageElement, path: string): Promise<Response> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token()}` } });
  if (!res.ok) throw new ApiError(res.status, `image refused (${res.status})`);
  const old = img.src;
  img.src = URL.createObjectURL(await res.blob());
  if (old.startsWith('blob:')) URL.revokeObjectURL(old);
  return res;
}

export function say(where: HTMLElement, message: string, kind: 'info' | 'error' = 'info'): void {
  where.textContent = message;
  where.dataset.kind = kind;
}

/**
 * The sign-in form: a token pasted once per browser tab (sessionStorage), checked against /api/me.
 * Resolves with the signed-in user, and calls `onSignOut` when the user leaves.
 */
export function session(allowed: Me['role'][], onSignedIn: (me: Me) => void): void {
  const form = $<HTMLFormElement>('#login');
  const status = $('#session');
  const message = $('#login-message');
  const show = (me: Me | null) => {
    form.hidden = me !== null;
    $('#app').hidden = me === null;
    status.replaceChildren();
    if (me) {
      status.append(
        h('span', {}, `Signed in as ${me.name} (${me.role})`),
        h('button', { type: 'button', class: 'link', onclick: () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); } }, 'Sign out'),
      );
      onSignedIn(me);
    } else {
      $<HTMLInputElement>('#token').focus();
    }
  };
  const check = async () => {
    try {
      const me = await api<Me>('/api/me');
      if (!allowed.includes(me.role)) {
        sessionStorage.removeItem(TOKEN_KEY);
        say(message, `The ${me.role} role cannot use this page.`, 'error');
        return show(null);
      }
      show(me);
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      say(message, err instanceof ApiError && err.status === 401 ? 'That token is not valid.' : String((err as Error).message), 'error');
      show(null);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $<HTMLInputElement>('#token').value.trim());
    $<HTMLInputElement>('#token').value = '';
    void check();
  });
  if (token()) void check();
  else show(null);
}

export const fmtDate = (d: string | number | Date) => new Date(d).toLocaleString();

export function fmtDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min`;
}
