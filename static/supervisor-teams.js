// The supervisor view's teams: a table of each team's queue and agents
// from the stats the page polls (GET /api/supervisor/stats, "teams"), the
// teams API (docs/operations.md, "Teams") for it and for the editor
// (supervisor-team-editor.js), and the pure parts both use (hours spec <->
// form values, minutes <-> "HH:MM", a row's figures), which
// test/supervisor-teams.test.js checks. Names reach the page as text only.

import { t } from './i18n.js';
import { h } from './ui.js';
import { Notice } from './supervisor-notice.js';

// The general team: every agent, no members to set, never archived.
export const GENERAL = 'tm_general';
// The general team's name as the first migration stores it: shown in the
// page's language until a supervisor renames it.
const GENERAL_NAME = 'General';
// The form lists Monday first; the spec's week is Sunday first.
export const DAY_ORDER = [1, 2, 3, 4, 5, 6, 0];
const DAY_MINUTES = 24 * 60;
// store.MaxTeamDescription, in bytes.
const MAX_DESCRIPTION = 500;
// A team in the stats that the editor's copy lacks (made in another tab)
// re-reads GET /api/teams, at most this often.
const CONFIG_EVERY_MS = 30000;

// minutesToTime is an <input type=time> value for minutes of the day; the
// day's end (1440) is "00:00", which timeToMinutes reads back as 1440 when
// it closes a span.
export function minutesToTime(m) {
  const d = ((Math.trunc(m) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  return String(Math.floor(d / 60)).padStart(2, '0') + ':' + String(d % 60).padStart(2, '0');
}

// timeToMinutes reads "HH:MM" (seconds ignored) as minutes of the day, or
// null; a closing "00:00" is midnight at the day's end.
export function timeToMinutes(s, closing = false) {
  const m = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(String(s ?? ''));
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return closing && v === 0 ? DAY_MINUTES : v;
}

function spansOf(spec, day) {
  const spans = spec?.week?.[day];
  return Array.isArray(spans) ? spans.map((s) => ({ opens: s.opens, closes: s.closes })) : [];
}

// formFromSpec is the editor's values for hours spec (none: a new team,
// always open, weekdays 09:00-18:00 ready). The form has one span a day:
// a day of several shows from its first opening to its last closing, and
// spans says how many it had.
export function formFromSpec(spec, defaultZone) {
  return {
    timeZone: spec?.timeZone || defaultZone,
    alwaysOpen: spec ? Boolean(spec.alwaysOpen) : true,
    days: Array.from({ length: 7 }, (_, d) => {
      const spans = spansOf(spec, d);
      if (!spans.length) return { on: !spec && d >= 1 && d <= 5, opens: '09:00', closes: '18:00', spans: 0 };
      const opens = Math.min(...spans.map((s) => s.opens));
      const closes = Math.max(...spans.map((s) => s.closes));
      return { on: true, opens: minutesToTime(opens), closes: minutesToTime(closes), spans: spans.length };
    }),
    closed: Array.isArray(spec?.closed) ? spec.closed.join(', ') : '',
  };
}

const sameDay = (a, b) => a.on === b.on && a.opens === b.opens && a.closes === b.closes;

// specFromForm is the hours spec for form, or {error, day|value}: a
// dictionary key and what it names. A day left as original showed it
// keeps its spans, so several spans survive an edit of something else.
// While always open, a day with unusable times is dropped, not refused.
export function specFromForm(form, original) {
  const before = original ? formFromSpec(original, form.timeZone) : null;
  const week = [];
  for (let d = 0; d < 7; d++) {
    const day = form.days[d];
    if (before && sameDay(day, before.days[d])) {
      week.push(spansOf(original, d));
      continue;
    }
    const opens = timeToMinutes(day.opens);
    const closes = timeToMinutes(day.closes, true);
    if (!day.on) week.push([]);
    else if (opens !== null && closes !== null && opens < closes) week.push([{ opens, closes }]);
    else if (form.alwaysOpen) week.push([]);
    else return { error: 'team.bad.time', day: d };
  }
  const closed = parseClosed(form.closed);
  if (closed.error) return closed;
  return { spec: { timeZone: form.timeZone, alwaysOpen: Boolean(form.alwaysOpen), week, closed: closed.closed } };
}

// parseClosed reads closed days typed as a list ("2026-12-25, 2027-01-01";
// Chinese commas and spaces too): {closed: sorted, no repeats} or {error,
// value}.
export function parseClosed(text) {
  const days = new Set();
  for (const part of String(text ?? '').split(/[\s,，、;；]+/)) {
    if (!part) continue;
    if (!isDate(part)) return { error: 'team.bad.date', value: part };
    days.add(part);
  }
  return { closed: [...days].sort() };
}

function isDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(y, mo - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d;
}

// teamName is what the page calls a team.
export function teamName(team) {
  return team.everyone && team.name === GENERAL_NAME ? t('teams.generalName') : String(team.name ?? '');
}

const count = (v) => (Number.isFinite(v) ? v : 0);

// teamRow is a table row's figures for team (from the stats), with names
// (agent id -> name, from the stats' agents) and config (the team as GET
// /api/teams gave it, if read): members counts every member, online or
// not, when config is known; memberNames are the members online.
export function teamRow(team, names, config) {
  const online = Array.isArray(team.members) ? team.members : [];
  return {
    id: team.id,
    name: teamName(team),
    archived: Boolean(team.archived),
    hidden: config?.visible === false,
    open: Boolean(team.open),
    queued: count(team.queued),
    wait: team.queued > 0 && Number.isFinite(team.oldestWaitSeconds) ? team.oldestWaitSeconds : null,
    inbox: count(team.inbox),
    formWait: team.inbox > 0 && Number.isFinite(team.oldestFormSeconds) ? team.oldestFormSeconds : null,
    online: count(team.agentsOnline),
    free: count(team.agentsFree),
    everyone: Boolean(team.everyone),
    members: team.everyone ? null : Array.isArray(config?.members) ? config.members.length : online.length,
    memberNames: online.map((id) => names.get(id)).filter((n) => n !== undefined),
  };
}

// ApiError is a refusal of the API, by its code ({"code","error"}), or
// "network" when the server could not be reached.
export class ApiError extends Error {
  constructor(status, code) {
    super(code);
    this.status = status;
    this.code = code;
  }
}

// TeamsPanel draws the teams table and keeps what GET /api/teams said of
// each live team (hours, members, version). token() is the supervisor's
// bearer token; duration(secs) says a wait as the tiles do; onEdit(id)
// opens the editor on a team, or on a new one (null).
export class TeamsPanel {
  constructor({ token, duration, onEdit }) {
    this.token = token;
    this.duration = duration;
    this.onEdit = onEdit;
    const $ = (id) => document.getElementById(id);
    this.el = { rows: $('team-rows'), table: $('teams'), none: $('no-teams'), add: $('team-new') };
    this.notice = new Notice($('team-notice'));
    this.config = new Map(); // id -> team, as GET /api/teams gave it
    this.configAt = -Infinity; // when it was last asked for
    this.agents = []; // the last stats' agents
    this.last = null; // the last stats answer
    this.el.add.addEventListener('click', () => this.onEdit(null));
  }

  // render draws the table from a stats answer. A row's Edit button keeps
  // the keyboard across the redraw.
  render(s) {
    this.last = s;
    const teams = Array.isArray(s.teams) ? s.teams : [];
    this.agents = Array.isArray(s.agents) ? s.agents : [];
    const names = new Map(this.agents.map((a) => [a.id, String(a.name)]));
    const unknown = teams.some((tm) => !tm.archived && !this.config.has(tm.id));
    if (unknown && Date.now() - this.configAt >= CONFIG_EVERY_MS) {
      this.loadConfig().then(() => this.last && this.render(this.last), () => {});
    }
    this.el.none.hidden = teams.length > 0;
    this.el.table.hidden = teams.length === 0;
    const active = this.el.rows.contains(document.activeElement) ? document.activeElement.dataset.team : undefined;
    this.el.rows.replaceChildren(...teams.map((tm) => this.row(teamRow(tm, names, this.config.get(tm.id)))));
    if (active) this.focusEdit(active);
    this.notice.tick();
  }

  row(r) {
    const name = h('td', { class: 'name' }, r.name);
    if (r.archived) name.append(' ', h('span', { class: 'mark', text: t('teams.archived') }));
    if (r.hidden) name.append(' ', h('span', { class: 'mark', text: t('teams.hiddenMark') }));
    const members = h('td', { class: 'members' }, r.everyone ? t('teams.everyone') : t('teams.memberCount', { n: r.members }));
    if (r.memberNames.length) members.append(h('span', { class: 'names', text: r.memberNames.join(t('teams.nameSep')) }));
    const actions = h('td');
    if (!r.archived) {
      actions.append(h('button', { type: 'button', class: 'quiet edit', 'data-team': r.id, text: t('teams.edit'),
        'aria-label': t('teams.editLabel', { name: r.name }), onclick: () => this.onEdit(r.id) }));
    }
    return h('tr', { class: r.archived ? 'archived' : r.open ? null : 'closed' },
      name,
      h('td', { text: t(r.open ? 'teams.open' : 'teams.closed') }),
      h('td', { class: 'num', text: String(r.queued) }),
      h('td', { class: 'num', text: r.wait === null ? '—' : this.duration(r.wait) }),
      h('td', { class: 'num', text: r.formWait === null ? String(r.inbox) : t('teams.inboxValue', { n: r.inbox, wait: this.duration(r.formWait) }) }),
      h('td', { class: 'num', text: t('teams.agentsValue', { online: r.online, free: r.free }) }),
      members, actions);
  }

  // focusEdit gives the keyboard to team id's Edit button, or to New team
  // when the row has none.
  focusEdit(id) {
    const b = [...this.el.rows.querySelectorAll('button.edit')].find((e) => e.dataset.team === id);
    (b ?? this.el.add).focus();
  }

  // changed keeps a team as the API just answered it (null: archived),
  // says so with the notice key (its {name} is name), and redraws at once
  // rather than at the next poll.
  changed(id, team, key, name) {
    if (team) this.config.set(id, team);
    else this.config.delete(id);
    this.notice.show(key, { name });
    if (this.last) this.render(this.last);
  }

  // reset forgets everything at sign-out.
  reset() {
    this.config.clear();
    this.configAt = -Infinity;
    this.last = null;
    this.notice.shown = null;
    this.notice.draw();
  }

  // api asks the server; it throws ApiError on a refusal.
  async api(method, path, body) {
    let res;
    try {
      res = await fetch(path, {
        method,
        headers: { Authorization: 'Bearer ' + this.token(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network');
    }
    const data = res.status === 204 ? null : await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, typeof data?.code === 'string' ? data.code : 'unknown');
    return data;
  }

  // loadConfig reads every live team's settings.
  async loadConfig() {
    this.configAt = Date.now();
    const body = await this.api('GET', 'api/teams');
    this.config = new Map((Array.isArray(body?.teams) ? body.teams : []).map((tm) => [tm.id, tm]));
    return this.config;
  }

  // accounts are the agents a team can have: every account (GET
  // /api/agents), or, if that fails, the native agents in the stats.
  async accounts() {
    try {
      const body = await this.api('GET', 'api/agents');
      if (Array.isArray(body?.agents)) return body.agents;
    } catch { /* the stats' agents will do */ }
    return this.agents.filter((a) => a.protocol !== 'compat');
  }
}
