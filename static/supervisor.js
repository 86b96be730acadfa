// The supervisor's live view: log in as a supervisor, then poll
// GET /api/supervisor/stats every 2 s and draw the numbers and an hour of
// small charts. Polling, not a push channel: the server samples every 2 s
// anyway, a poll is one small request that any proxy passes, and it keeps
// no socket open per supervisor. Everything the server sends reaches the
// page through textContent and SVG attributes, never as markup.

import { t, useDictionary, translatePage, setLanguage, language, onLanguageChange } from './i18n.js';
import dictionary from './i18n/supervisor.js';
import { Notice } from './supervisor-notice.js';
import { RatingsFeed } from './ratings.js';
import { drawTeam, ratingCell } from './supervisor-ratings.js';
import { TeamsPanel } from './supervisor-teams.js';
import { TeamEditor } from './supervisor-team-editor.js';
import { WidgetPanel } from './supervisor-widget.js';
import { HistoryPanel } from './history-panel.js';
import { CannedEditor } from './canned-editor.js';
import { ScopePicker, scoped, scopeChoices } from './supervisor-scope.js';
import { teamName } from './supervisor-teams.js';

const POLL_MS = 2000;
const HOUR_MS = 60 * 60 * 1000;
const TOKEN_KEY = 'kefu.supervisor';
const SVG = 'http://www.w3.org/2000/svg';
// The charts' drawing box (viewBox), with a margin so lines at 0 and at
// the top stay visible.
const W = 300;
const H = 60;
const PAD = 3;

const $ = (id) => document.getElementById(id);

let session = loadSession(); // {token, name} or null
let history = []; // points, oldest first, at most an hour
let latest = null; // the last answer
let timer = null;
let polling = false;
const notice = new Notice($('notice'));
let ratings = null; // the last GET /api/ratings answer
const feed = new RatingsFeed(() => session?.token, (body) => {
  ratings = body;
  if (latest) render(latest);
});

useDictionary(dictionary);
translatePage();
markLanguage();
const teams = new TeamsPanel({ token: () => session?.token, duration, onEdit: (id) => editor.edit(id) });
const editor = new TeamEditor(teams);
const widget = new WidgetPanel({ api: (method, path, body) => teams.api(method, path, body) });
// Everyone's past conversations, searched (history-panel.js).
const past = new HistoryPanel($('history-panel'), { token: () => session?.token ?? '', all: true });
// Whose queue, wait and agents the tiles and charts show (supervisor-scope.js).
const scope = new ScopePicker($('scope'), $('scope-wrap'), () => latest && render(latest));
// The shared saved replies, every agent's (canned-editor.js).
const shared = new CannedEditor($('canned-editor'), { token: () => session?.token ?? '', shared: true });

for (const b of document.querySelectorAll('.lang')) {
  b.addEventListener('click', () => setLanguage(b.dataset.lang));
}
onLanguageChange(() => {
  translatePage();
  markLanguage();
  if (session) $('who').textContent = t('who', { name: session.name });
  notice.draw();
  editor.relabel();
  widget.relabel();
  past.draw();
  shared.draw();
  if (latest) render(latest);
});
$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  login();
});
$('logout').addEventListener('click', () => {
  // The server forgets the token too; the page does not wait for it.
  if (session) signOut(session.token);
  logout('');
});

if (session) showBoard();
else showLogin('');

function markLanguage() {
  for (const b of document.querySelectorAll('.lang')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === language()));
  }
}

// sessionStorage: the token lives as long as the tab, and not in other tabs.
function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function loadSession() {
  try {
    const s = JSON.parse(storage()?.getItem(TOKEN_KEY) || 'null');
    return s && typeof s.token === 'string' && typeof s.name === 'string' ? s : null;
  } catch {
    return null;
  }
}

async function login() {
  const name = $('name').value.trim();
  const password = $('password').value;
  const status = $('login-status');
  if (!name || !password) {
    status.textContent = t('login.missing');
    return;
  }
  $('login-button').disabled = true;
  status.textContent = t('login.busy');
  try {
    const res = await fetch('api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    const body = await res.json().catch(() => ({}));
    if (res.status === 401) {
      status.textContent = t('login.wrong');
    } else if (res.status === 429) {
      status.textContent = t('login.tooMany');
    } else if (!res.ok || typeof body.token !== 'string') {
      status.textContent = t('login.failed', { status: res.status });
    } else if (body.agent?.role !== 'supervisor') {
      // Refused here, and by the server too (403): the token is dropped.
      status.textContent = t('login.notSupervisor');
    } else {
      session = { token: body.token, name: String(body.agent.name) };
      storage()?.setItem(TOKEN_KEY, JSON.stringify(session));
      $('password').value = '';
      status.textContent = '';
      showBoard();
      $('board-title').focus();
    }
  } catch {
    status.textContent = t('login.offline');
  } finally {
    $('login-button').disabled = false;
  }
}

// signOut asks the server to revoke token (POST /api/logout), so a copy of
// it left anywhere stops working. Best effort: never rejects.
function signOut(token) {
  fetch('api/logout', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token },
    cache: 'no-store',
    keepalive: true,
  }).catch(() => { /* offline: the token lasts until it expires */ });
}

function logout(reason) {
  session = null;
  storage()?.removeItem(TOKEN_KEY);
  showLogin(reason);
  $('name').focus();
}

function showLogin(reason) {
  clearTimeout(timer);
  timer = null;
  history = [];
  latest = null;
  ratings = null;
  feed.reset();
  editor.close();
  teams.reset();
  widget.reset();
  $('board').hidden = true;
  $('logout').hidden = true;
  $('who').hidden = true;
  $('login').hidden = false;
  $('login-status').textContent = reason ? t(reason) : '';
}

function showBoard() {
  $('login').hidden = true;
  $('board').hidden = false;
  $('logout').hidden = false;
  $('who').hidden = false;
  $('who').textContent = t('who', { name: session.name });
  $('updated').textContent = t('board.waiting');
  widget.load();
  past.search();
  shared.load();
  poll();
}

// poll asks for what is new since the last point held, then waits POLL_MS
// from the answer: a slow server is never asked twice at once.
async function poll() {
  if (polling || !session) return;
  polling = true;
  clearTimeout(timer);
  let delay = POLL_MS;
  try {
    const since = history.length ? '?since=' + encodeURIComponent(history[history.length - 1].at) : '';
    const res = await fetch('api/supervisor/stats' + since, {
      headers: { Authorization: 'Bearer ' + session.token },
      cache: 'no-store',
    });
    if (res.status === 401) {
      logout('login.expired');
      return;
    }
    if (res.status === 403) {
      logout('login.notSupervisor');
      return;
    }
    if (res.status === 429) {
      delay = 1000 * Math.max(Number(res.headers.get('Retry-After')) || 5, 1);
      $('board-status').textContent = t('board.slowDown');
      return;
    }
    if (!res.ok) {
      $('board-status').textContent = t('board.unavailable');
      return;
    }
    const body = await res.json();
    $('board-status').textContent = '';
    keep(body.history);
    latest = body;
    render(body);
    feed.due();
  } catch {
    if (session) $('board-status').textContent = t('board.offline');
  } finally {
    polling = false;
    if (session) timer = setTimeout(poll, delay);
  }
}

// keep appends the new points and forgets those more than an hour older
// than the newest.
function keep(points) {
  if (!Array.isArray(points)) return;
  const last = history.length ? Date.parse(history[history.length - 1].at) : -Infinity;
  for (const p of points) {
    if (Date.parse(p.at) > last) history.push(p);
  }
  const newest = history.length ? Date.parse(history[history.length - 1].at) : 0;
  while (history.length && Date.parse(history[0].at) < newest - HOUR_MS) history.shift();
}

function render(s) {
  scope.update(scopeChoices(s.teams, teamName));
  const desk = s.now || {};
  const now = scoped(desk, scope.scope);
  $('updated').textContent = s.sampledAt
    ? t('board.updated', { time: new Date(s.sampledAt).toLocaleTimeString(tag()), every: s.sampleEverySeconds })
    : t('board.waiting');
  setNumber('queue', now.queued);
  $('wait').textContent = now.queued > 0 ? duration(now.oldestWaitSeconds) : '—';
  setNumber('agents-online', now.agentsOnline);
  setNumber('agents-free', now.agentsFree);
  setNumber('serving', desk.serving);
  $('rate').textContent = Number.isFinite(desk.messagesPerSecond) ? desk.messagesPerSecond.toFixed(1) : '—';
  const tta = desk.timeToAssignment;
  $('p50').textContent = tta ? duration(tta.p50) : '—';
  $('p90').textContent = tta ? duration(tta.p90) : '—';
  $('p99').textContent = tta ? duration(tta.p99) : '—';
  $('tta-count').textContent = String(tta ? tta.count : 0);

  // The charts end with the current sample, so they move between points.
  // They span the last hour, or less while the server has not been up
  // that long (but at least six points), so a fresh start is not a sliver
  // at the right edge.
  const points = s.sampledAt ? [...history, { ...desk, at: s.sampledAt }] : history;
  const mine = points.map((p) => scoped(p, scope.scope)); // the scoped tiles' charts
  const end = points.length ? Date.parse(points[points.length - 1].at) : Date.now();
  const first = points.length ? Date.parse(points[0].at) : end;
  const span = Math.min(HOUR_MS, Math.max(end - first, 6000 * (s.pointEverySeconds || 10)));
  const axis = { start: end - span, span };
  chart('chart-queue', 'tile.queue', axis, mine, [['line', (p) => p.queued]]);
  chart('chart-wait', 'tile.wait', axis, mine, [['line', (p) => p.oldestWaitSeconds]], duration);
  chart('chart-agents', 'tile.agents', axis, mine, [
    ['line online', (p) => p.agentsOnline],
    ['line free', (p) => p.agentsFree],
  ]);
  chart('chart-serving', 'tile.serving', axis, points, [['line', (p) => p.serving]]);
  chart('chart-rate', 'tile.rate', axis, points, [['line', (p) => p.messagesPerSecond]], (v) => v.toFixed(1));
  chart('chart-tta', 'tile.ttaChart', axis, history, [
    ['line p50', (p) => p.timeToAssignment?.p50],
    ['line p90', (p) => p.timeToAssignment?.p90],
    ['line p99', (p) => p.timeToAssignment?.p99],
  ], duration);
  drawTeam($('rating'), $('rating-detail'), ratings);
  agents(Array.isArray(s.agents) ? s.agents : []);
  teams.render(s);
  notice.tick();
}

function setNumber(id, v) {
  $(id).textContent = Number.isFinite(v) ? String(v) : '—';
}

function tag() {
  return language() === 'zh' ? 'zh-CN' : 'en';
}

// duration says a number of seconds the way a person reads it.
function duration(secs) {
  if (!Number.isFinite(secs)) return '—';
  if (secs < 1) return t('dur.ms', { n: Math.round(secs * 1000) });
  if (secs < 10) return t('dur.s', { n: secs.toFixed(1) });
  if (secs < 60) return t('dur.s', { n: Math.round(secs) });
  const m = Math.floor(secs / 60);
  if (secs < 3600) return t('dur.ms2', { m, s: String(Math.round(secs % 60)).padStart(2, '0') });
  return t('dur.hm', { h: Math.floor(m / 60), m: String(m % 60).padStart(2, '0') });
}

// chart draws each series as a polyline over the axis's span of time,
// scaled to the highest value, and says in words what it shows. A missing
// value (no assignment in that interval) breaks the line.
function chart(id, labelKey, axis, points, series, format = String) {
  const svg = $(id);
  let top = 0;
  for (const [, get] of series) {
    for (const p of points) {
      const v = get(p);
      if (Number.isFinite(v)) top = Math.max(top, v);
    }
  }
  const scale = top > 0 ? top : 1;
  const x = (p) => (((Date.parse(p.at) - axis.start) / axis.span) * W).toFixed(1);
  const y = (v) => (H - PAD - (v / scale) * (H - 2 * PAD)).toFixed(1);

  const title = document.createElementNS(SVG, 'title');
  const since = new Date(axis.start).toLocaleTimeString(tag(), { hour: '2-digit', minute: '2-digit' });
  const label = t('chart.label', { what: t(labelKey), since, top: format(top) });
  title.textContent = label;
  const base = document.createElementNS(SVG, 'line');
  base.setAttribute('class', 'axis');
  base.setAttribute('x1', '0');
  base.setAttribute('x2', String(W));
  base.setAttribute('y1', y(0));
  base.setAttribute('y2', y(0));
  const parts = [title, base];
  for (const [cls, get] of series) {
    let run = [];
    const flush = () => {
      if (run.length) {
        const line = document.createElementNS(SVG, run.length > 1 ? 'polyline' : 'circle');
        line.setAttribute('class', cls);
        if (run.length > 1) {
          line.setAttribute('points', run.join(' '));
        } else {
          const [cx, cy] = run[0].split(',');
          line.setAttribute('cx', cx);
          line.setAttribute('cy', cy);
          line.setAttribute('r', '1.5');
        }
        parts.push(line);
      }
      run = [];
    };
    for (const p of points) {
      const v = get(p);
      if (Number.isFinite(v)) run.push(x(p) + ',' + y(v));
      else flush();
    }
    flush();
  }
  svg.setAttribute('aria-label', label);
  svg.replaceChildren(...parts);
}

function agents(list) {
  $('no-agents').hidden = list.length > 0;
  $('agents').hidden = list.length === 0;
  const rows = list.map((a) => {
    const tr = document.createElement('tr');
    if (!a.online) tr.classList.add('grace');
    else if (a.status !== 'available') tr.classList.add('away');
    tr.append(
      cell(String(a.name), 'name'),
      cell(t(a.status === 'available' ? 'status.available' : 'status.away')),
      loadCell(a),
      cell(t(a.online ? 'conn.online' : 'conn.grace')),
      cell(t(a.protocol === 'compat' ? 'proto.compat' : 'proto.native')),
      ratingCell(ratings, a.id),
      revokeCell(a),
    );
    return tr;
  });
  $('agent-rows').replaceChildren(...rows);
}

// revokeCell holds the button that signs a native agent out on every
// device (POST /api/agents/{name}/revoke): a lost laptop, a shared
// computer left signed in. Tutorial-protocol agents have no account.
function revokeCell(a) {
  const td = document.createElement('td');
  if (a.protocol === 'compat') return td;
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'quiet revoke';
  b.textContent = t('agents.revoke');
  b.setAttribute('aria-label', t('agents.revokeLabel', { name: String(a.name) }));
  b.addEventListener('click', () => revoke(String(a.name), b));
  td.append(b);
  return td;
}

async function revoke(name, button) {
  if (!session || !window.confirm(t('agents.revokeConfirm', { name }))) return;
  button.disabled = true;
  try {
    const res = await fetch('api/agents/' + encodeURIComponent(name) + '/revoke', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + session.token },
      cache: 'no-store',
    });
    if (res.status === 204) {
      notice.show('agents.revoked', { name });
    } else {
      const body = await res.json().catch(() => ({}));
      notice.show('agents.revokeFailed', { name, message: body.error || String(res.status) });
    }
  } catch (e) {
    notice.show('agents.revokeFailed', { name, message: String(e.message || e) });
  }
  button.disabled = false;
}

function cell(text, cls) {
  const td = document.createElement('td');
  if (cls) td.className = cls;
  td.textContent = text;
  return td;
}

function loadCell(a) {
  const td = document.createElement('td');
  td.className = 'load';
  const meter = document.createElement('meter');
  meter.min = 0;
  meter.max = Math.max(Number(a.capacity) || 1, 1);
  meter.value = Number(a.load) || 0;
  meter.high = meter.max; // full is not an alarm: it is work
  const text = document.createElement('span');
  text.textContent = t('agents.loadValue', { load: a.load, capacity: a.capacity });
  meter.setAttribute('aria-label', text.textContent);
  td.append(meter, ' ', text);
  return td;
}
