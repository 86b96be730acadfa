// The agent's login: POST /api/login (docs/protocol.md), with the token
// kept in sessionStorage, so it lasts as long as the tab and no longer;
// signing out tells the server too (POST /api/logout).

const LOGIN_KEY = 'kefu.agent.login';

// savedLogin returns {token, expiresAt, agent} from this tab, or null when
// there is none or it has expired.
export function savedLogin(session) {
  try {
    const l = JSON.parse(session?.getItem(LOGIN_KEY) || 'null');
    if (l && typeof l.token === 'string' && Date.parse(l.expiresAt) > Date.now()) return l;
  } catch { /* nothing usable */ }
  return null;
}

export function forgetLogin(session) {
  try {
    session?.removeItem(LOGIN_KEY);
  } catch { /* nothing was kept */ }
}

// logOut signs token out on the server, so it stops working at once there
// and in any tab that was given it. Best effort: it never rejects, and the
// caller forgets the token whatever the answer. keepalive lets the request
// outlive the page, which reloads next.
export async function logOut(token) {
  if (!token) return;
  try {
    await fetch('/api/logout', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token },
      cache: 'no-store',
      keepalive: true,
      signal: AbortSignal.timeout(3000),
    });
  } catch { /* offline or slow: the token lasts until it expires */ }
}

// logIn asks for a token. It resolves to {login} or {error: {code,
// message, retryAfter}}; it never rejects.
export async function logIn(session, name, password) {
  let res;
  let body = {};
  try {
    res = await fetch('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password }),
      cache: 'no-store',
    });
    body = await res.json();
  } catch (e) {
    return { error: { code: 'network', message: String(e?.message ?? e) } };
  }
  if (!res.ok || typeof body.token !== 'string') {
    return { error: { code: body.code ?? String(res.status), message: body.error ?? res.statusText, retryAfter: Number(res.headers.get('Retry-After')) || 0 } };
  }
  const login = { token: body.token, expiresAt: body.expiresAt, agent: body.agent };
  try {
    session?.setItem(LOGIN_KEY, JSON.stringify(login));
  } catch { /* a reload will ask again */ }
  return { login };
}
