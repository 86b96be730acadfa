// The console's team inboxes (docs/protocol.md, "inbox", "take", "inboxed
// and unboxed"): the forms customers left for the agent's teams, one
// section per team, oldest first, each with an Answer button that takes
// it. The teams come from GET /api/teams after every welcome; each team
// the agent is a member of is asked for with an inbox frame, and the
// inboxed and unboxed frames keep it live.
//
// InboxState is the lists alone, with no DOM, so that node can test it
// (test/agent-inbox.test.js); Inbox draws them and talks to the server.

import { h } from './ui.js';
import { t } from './i18n.js';

// GENERAL_TEAM is the team every agent is in; its stored name is English,
// so the console names it in the page's language.
export const GENERAL_TEAM = 'tm_general';
// TAKE_WAIT_MS: a take with no answer this long (its frame, or the answer,
// went with a dead socket) may be pressed again.
const TAKE_WAIT_MS = 10000;
// AGE_TICK_MS: ages are shown in minutes at the finest.
const AGE_TICK_MS = 60 * 1000;
const MINUTE_MS = 60 * 1000;

// teamName is a team as the console names it.
export function teamName(team) {
  return team?.id === GENERAL_TEAM ? t('team.general') : (team?.name ?? '');
}

// ageText says how long ago at (RFC 3339) was: "just now", then minutes,
// hours, days. A time that cannot be read, or one ahead of the clock,
// reads as just now.
export function ageText(at, now = Date.now()) {
  const ms = now - Date.parse(at);
  if (!(ms >= MINUTE_MS)) return t('age.now');
  const m = Math.floor(ms / MINUTE_MS);
  if (m < 60) return t('age.minutes', { n: m });
  const hours = Math.floor(m / 60);
  if (hours < 24) return t('age.hours', { n: hours });
  return t('age.days', { n: Math.floor(hours / 24) });
}

// oldestFirst orders items by ticket (the order the forms came in), then
// by time.
export function oldestFirst(a, b) {
  return (Number(a.ticket) || 0) - (Number(b.ticket) || 0) || (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0);
}

// InboxState holds the inbox of each team the agent is a member of.
export class InboxState {
  constructor() {
    this.teams = []; // the member teams, in the API's order
    // team id -> {items: Map conv -> item, more, asked, stale, fresh}:
    // asked, since the last reset; stale, the items are the previous
    // socket's until the first page comes; fresh, inboxed since then.
    this.boxes = new Map();
  }

  // setTeams takes GET /api/teams' list. It keeps a box for each member
  // team (forgetting the others) and returns the ids of those not asked
  // for since the last reset.
  setTeams(teams) {
    this.teams = (Array.isArray(teams) ? teams : []).filter((tm) => tm?.member && typeof tm.id === 'string');
    const ids = new Set(this.teams.map((tm) => tm.id));
    for (const id of this.boxes.keys()) if (!ids.has(id)) this.boxes.delete(id);
    for (const id of ids) if (!this.boxes.has(id)) this.boxes.set(id, { items: new Map(), more: false, asked: false, stale: false, fresh: new Set() });
    return [...ids].filter((id) => !this.boxes.get(id).asked);
  }

  // reset starts a new socket: every team is to be asked for again; the
  // items stay shown until the first page replaces them.
  reset() {
    for (const box of this.boxes.values()) Object.assign(box, { asked: false, stale: true, fresh: new Set() });
  }

  // clear forgets everything (signed out).
  clear() {
    this.teams = [];
    this.boxes.clear();
  }

  asked(team) {
    const box = this.boxes.get(team);
    if (box) box.asked = true;
  }

  // page takes an inbox answer. It returns the ticket to ask after for
  // the next page, or null when there is none.
  page(f) {
    const box = this.boxes.get(f.team);
    if (!box) return null;
    const items = Array.isArray(f.items) ? f.items.filter(valid) : [];
    if (box.stale) {
      // The first page of a new socket: what it says, and what came
      // since it was asked for.
      const kept = [...box.items.values()].filter((i) => box.fresh.has(i.conv));
      box.items = new Map([...items, ...kept].map((i) => [i.conv, i]));
      box.stale = false;
      box.fresh = new Set();
    } else {
      for (const i of items) box.items.set(i.conv, i);
    }
    box.more = !!f.more && items.length > 0;
    return box.more ? Math.max(...items.map((i) => Number(i.ticket) || 0)) : null;
  }

  // added takes an inboxed frame; true when it changed a list.
  added(f) {
    const box = this.boxes.get(f.team);
    if (!box || !valid(f.item)) return false;
    box.items.set(f.item.conv, f.item);
    if (box.stale) box.fresh.add(f.item.conv);
    return true;
  }

  // removed takes an unboxed frame; true when it changed a list.
  removed(f) {
    const box = this.boxes.get(f.team);
    if (!box) return false;
    box.fresh.delete(f.conv);
    return box.items.delete(f.conv);
  }

  // taken drops conv from every list (this agent took it: the taker is
  // not sent unboxed); true when it was in one.
  taken(conv) {
    let was = false;
    for (const box of this.boxes.values()) {
      box.fresh.delete(conv);
      if (box.items.delete(conv)) was = true;
    }
    return was;
  }

  // items is team's list, oldest first.
  items(team) {
    return [...(this.boxes.get(team)?.items.values() ?? [])].sort(oldestFirst);
  }

  count(team) {
    return this.boxes.get(team)?.items.size ?? 0;
  }

  // more says whether team has items not fetched yet.
  more(team) {
    return !!this.boxes.get(team)?.more;
  }
}

function valid(i) {
  return !!i && typeof i.conv === 'string' && i.conv !== '';
}

// loadTeams asks GET /api/teams with the agent's token; it resolves to the
// list, or null when that failed (it never rejects).
export async function loadTeams(token) {
  if (!token) return null;
  try {
    const res = await fetch('api/teams', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    if (!res.ok) return null;
    const body = await res.json();
    return Array.isArray(body?.teams) ? body.teams : null;
  } catch {
    return null; // offline: the next welcome asks again
  }
}

// Inbox is the inbox sections of the console.
export class Inbox {
  // root: the element the sections go in (hidden while there are none).
  // send(frame) writes a frame, false when offline; online() says whether
  // an action can be sent now (and tells the agent when not); token() is
  // the login token; onTeams(teams) gets every list of teams.
  constructor(root, { send, online, token, onTeams }) {
    this.root = root;
    this.send = send;
    this.online = online;
    this.token = token;
    this.onTeams = onTeams;
    this.state = new InboxState();
    this.gen = 0; // counts welcomes and sign-outs: an older answer is stale
    this.taking = null; // {conv, at}: the take this tab sent
    setInterval(() => this.draw(), AGE_TICK_MS);
  }

  // welcomed asks for the teams and their inboxes afresh (a new socket).
  welcomed() {
    this.gen++;
    this.taking = null;
    this.state.reset();
    this.load();
  }

  // load fetches the teams, asks for the inboxes not asked for yet, and
  // hands the list on (the transfer form's teams).
  async load() {
    const gen = this.gen;
    const teams = await loadTeams(this.token());
    if (gen !== this.gen || teams === null) return;
    for (const id of this.state.setTeams(teams)) this.ask(id, 0);
    this.onTeams?.(teams);
    this.draw();
  }

  ask(team, after) {
    if (this.send({ type: 'inbox', team, after })) this.state.asked(team);
  }

  // stop forgets everything (signed out).
  stop() {
    this.gen++;
    this.taking = null;
    this.state.clear();
    this.draw();
  }

  // --- the server's frames ---

  // listen takes client's inbox, inboxed and unboxed events.
  listen(client) {
    client.on('inbox', (f) => this.page(f));
    client.on('inboxed', (f) => this.added(f));
    client.on('unboxed', (f) => this.removed(f));
  }

  page(f) {
    const after = this.state.page(f);
    if (after !== null) this.send({ type: 'inbox', team: f.team, after });
    this.draw();
  }

  added(f) {
    if (this.state.added(f)) this.draw();
  }

  removed(f) {
    if (this.state.removed(f)) this.draw();
  }

  // taken takes a conv frame's conv with why "taken"; true when this tab
  // asked for it (the agent pressed Answer here).
  taken(conv) {
    const mine = this.taking?.conv === conv;
    if (mine) this.taking = null;
    if (this.state.taken(conv) || mine) this.draw();
    return mine;
  }

  // refusal is the agent's words for an error frame that answers this
  // tab's take, or null for any other.
  refusal(f) {
    if (!this.taking || (f.code !== 'unknown_conversation' && f.code !== 'agent_unavailable')) return null;
    const { conv } = this.taking;
    this.taking = null;
    // Taken already (its unboxed may still come) or gone from the inbox.
    if (f.code === 'unknown_conversation') this.state.taken(conv);
    this.draw();
    return t(f.code === 'unknown_conversation' ? 'inbox.gone' : 'inbox.unavailable');
  }

  take(conv) {
    if (this.busy() || !this.online()) return;
    if (!this.send({ type: 'take', conv })) return;
    this.taking = { conv, at: Date.now() };
    this.draw();
    setTimeout(() => this.draw(), TAKE_WAIT_MS); // Answer again, if none came
  }

  busy() {
    return !!this.taking && Date.now() - this.taking.at < TAKE_WAIT_MS;
  }

  // --- drawing ---

  // draw redraws every section as text, keeping the keyboard on the
  // Answer button it was on.
  draw() {
    const teams = this.state.teams;
    this.root.hidden = teams.length === 0;
    const focused = this.root.contains(document.activeElement) ? document.activeElement.dataset?.take : undefined;
    this.root.replaceChildren(
      h('h2', { text: t('inbox.heading') }),
      ...teams.map((tm) => this.section(tm)),
    );
    if (focused) this.root.querySelector(`button[data-take="${CSS.escape(focused)}"]`)?.focus();
  }

  section(team) {
    const n = this.state.count(team.id);
    const count = n + (this.state.more(team.id) ? '+' : '');
    const head = h('h3', { class: 'inbox-head' },
      h('span', { class: 'inbox-team', text: teamName(team) }),
      h('span', { class: n ? 'badge' : 'tag', 'aria-hidden': 'true', text: count }),
      h('span', { class: 'sr-only', text: count === '1' ? t('inbox.count1') : t('inbox.count', { n: count }) }));
    if (n === 0) return h('section', { class: 'inbox' }, head, h('p', { class: 'note inbox-empty', text: t('inbox.empty') }));
    const busy = this.busy();
    return h('section', { class: 'inbox' }, head,
      h('ul', { class: 'inbox-items' }, ...this.state.items(team.id).map((i) => this.item(i, busy))));
  }

  item(i, busy) {
    const name = i.customer?.name ?? '';
    const taking = busy && this.taking?.conv === i.conv;
    return h('li', { class: 'inbox-item' },
      h('span', { class: 'name', text: name }),
      i.email ? h('span', { class: 'mail', title: t('inbox.email', { email: i.email }), 'aria-label': t('inbox.email', { email: i.email }), role: 'img', text: '✉' }) : null,
      h('time', { class: 'age', datetime: i.at, text: ageText(i.at) }),
      h('span', { class: 'preview', text: i.preview ?? '' }),
      h('button', {
        type: 'button', class: 'quiet', 'data-take': i.conv, disabled: busy,
        'aria-label': t('inbox.answerLabel', { name }), text: t(taking ? 'inbox.taking' : 'inbox.answer'),
        onclick: () => this.take(i.conv),
      }));
  }
}
