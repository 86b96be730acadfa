// The supervisor view's team editor (the form #team-form): a new team or
// one of the table's, read afresh from GET /api/teams; saved with POST or
// PUT /api/teams/{id} with the version read (409 conflict: someone else
// changed it, and the form is read again), members with PUT …/members,
// archived with DELETE after an inline confirmation. The form shows one
// opening span a day; supervisor-teams.js turns it into hours and back.

import { t } from './i18n.js';
import { h } from './ui.js';
import { errorText } from './error-text.js';
import { Confirm } from './confirm.js';
import { ApiError, DAY_ORDER, formFromSpec, specFromForm, teamName } from './supervisor-teams.js';

// store.MaxTeamDescription, in bytes.
const MAX_DESCRIPTION = 500;

export class TeamEditor {
  // panel is the TeamsPanel: its API, its teams and its notice.
  constructor(panel) {
    this.panel = panel;
    const $ = (id) => document.getElementById(id);
    this.el = {
      form: $('team-form'), title: $('team-form-title'), name: $('team-name'), description: $('team-description'),
      visible: $('team-visible'), zone: $('team-zone'), always: $('team-always'), week: $('team-week'),
      days: $('team-days'), closed: $('team-closed'), members: $('team-members'), list: $('team-member-list'),
      general: $('team-general'), status: $('team-form-status'), save: $('team-save'), cancel: $('team-cancel'),
      archive: $('team-archive'),
    };
    this.editing = undefined; // {team} while open; team null for a new one
    this.opener = null; // the team id whose Edit opened the form
    this.status = () => ''; // the status line, in the current language
    this.reads = 0; // counts reads of the form's team: only the latest fills it
    this.days = DAY_ORDER.map((day) => this.dayRow(day));
    const el = this.el;
    el.cancel.addEventListener('click', () => this.close(true));
    el.always.addEventListener('change', () => this.syncDays());
    el.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
    el.form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented) this.close(true);
    });
    this.archiveAsk = new Confirm(el.archive, {
      question: () => t('team.archiveConfirm', { name: this.editing?.team ? teamName(this.editing.team) : '' }),
      yes: 'team.archiveYes',
      subject: () => this.editing?.team?.id,
      onYes: (id) => this.archive(id),
    });
    this.relabel();
  }

  // dayRow builds one day's line: open that day, from, to.
  dayRow(day) {
    const on = h('input', { type: 'checkbox', id: `team-day-${day}` });
    const opens = h('input', { type: 'time', id: `team-opens-${day}` });
    const closes = h('input', { type: 'time', id: `team-closes-${day}` });
    const multi = h('span', { class: 'hint' });
    on.addEventListener('change', () => this.syncDays());
    this.el.days.append(h('div', { class: 'day' },
      h('label', { class: 'check' }, on, ' ', h('span', { 'data-i18n': `team.day${day}`, text: t(`team.day${day}`) })),
      opens, h('span', { 'data-i18n': 'team.to', text: t('team.to') }), closes, multi));
    return { day, on, opens, closes, multi, spans: 0 };
  }

  // syncDays turns off the times of closed days, and the whole week while
  // the team is always open.
  syncDays() {
    this.el.week.disabled = this.el.always.checked;
    for (const d of this.days) d.opens.disabled = d.closes.disabled = !d.on.checked;
  }

  // relabel redraws the words that carry values, in the current language.
  relabel() {
    for (const d of this.days) {
      const day = t('team.day' + d.day);
      d.opens.setAttribute('aria-label', t('team.opens', { day }));
      d.closes.setAttribute('aria-label', t('team.closes', { day }));
      d.multi.textContent = d.spans > 1 ? t('team.multi', { n: d.spans }) : '';
    }
    const team = this.editing?.team;
    this.el.title.textContent = team ? t('team.editTitle', { name: teamName(team) }) : t('team.newTitle');
    this.el.status.textContent = this.status();
    this.archiveAsk.relabel();
  }

  say(status) {
    this.status = status;
    this.el.status.textContent = status();
  }

  // edit opens the form on team id, read afresh, or on a new team (null).
  async edit(id) {
    this.archiveAsk.reset();
    this.opener = id;
    this.editing = undefined;
    this.el.form.hidden = false;
    this.el.save.disabled = true;
    this.el.archive.hidden = true;
    this.el.title.textContent = id ? '' : t('team.newTitle');
    this.say(() => t('team.loading'));
    this.el.form.scrollIntoView?.({ block: 'nearest' });
    try {
      if (!(await this.load(id))) return;
      this.say(() => '');
      this.el.title.focus();
    } catch (e) {
      this.say(() => errorText(e.code));
    }
  }

  // load fills the form with team id as the server has it now.
  // It reports whether it did: a later read may have overtaken it.
  async load(id) {
    const read = ++this.reads;
    const [config, accounts] = await Promise.all([this.panel.loadConfig(), this.panel.accounts()]);
    if (read !== this.reads || this.el.form.hidden) return false;
    const team = id ? config.get(id) : null;
    if (team === undefined) throw new ApiError(404, 'not_found');
    this.fill(team, accounts);
    return true;
  }

  fill(team, accounts) {
    const el = this.el;
    this.editing = { team };
    el.name.value = team?.name ?? '';
    el.description.value = team?.description ?? '';
    el.visible.checked = team ? team.visible !== false : true;
    const form = formFromSpec(team?.hours, Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    this.zones(form.timeZone);
    el.always.checked = form.alwaysOpen;
    for (const d of this.days) {
      const f = form.days[d.day];
      d.on.checked = f.on;
      d.opens.value = f.opens;
      d.closes.value = f.closes;
      d.spans = f.spans;
    }
    el.closed.value = form.closed;
    const everyone = Boolean(team?.everyone);
    el.members.hidden = everyone;
    el.general.hidden = !everyone;
    el.archive.hidden = !team || everyone;
    this.memberBoxes(accounts, everyone ? [] : team?.members ?? []);
    this.syncDays();
    this.relabel();
    el.save.disabled = false;
  }

  // zones fills the time zone list once, and makes sure zone is in it.
  zones(zone) {
    const select = this.el.zone;
    if (!select.options.length) {
      const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
      select.append(...[...new Set(['UTC', ...all])].map((z) => h('option', { value: z, text: z })));
    }
    if (![...select.options].some((o) => o.value === zone)) select.append(h('option', { value: zone, text: zone }));
    select.value = zone;
  }

  // memberBoxes lists the accounts to tick; a member with no account left
  // stays ticked, so saving does not drop it unasked.
  memberBoxes(accounts, members) {
    const list = accounts.map((a) => ({ id: String(a.id), name: String(a.name) }));
    for (const id of members) if (!list.some((a) => a.id === id)) list.push({ id, name: t('team.removedAgent') });
    this.el.list.replaceChildren(...(list.length
      ? list.map((a) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', value: a.id, checked: members.includes(a.id) }), ' ', a.name))
      : [h('p', { class: 'hint', text: t('team.noAgents') })]));
  }

  readForm() {
    const days = [];
    for (const d of this.days) days[d.day] = { on: d.on.checked, opens: d.opens.value, closes: d.closes.value };
    return { timeZone: this.el.zone.value, alwaysOpen: this.el.always.checked, days, closed: this.el.closed.value };
  }

  refuse(status, field) {
    this.say(status);
    field.focus();
  }

  async save() {
    const el = this.el;
    const team = this.editing?.team;
    if (team === undefined) return;
    const name = el.name.value.trim();
    if (!name) return this.refuse(() => t('team.bad.name'), el.name);
    if (new TextEncoder().encode(el.description.value).length > MAX_DESCRIPTION) {
      return this.refuse(() => t('team.bad.description'), el.description);
    }
    const hours = specFromForm(this.readForm(), team?.hours);
    if (hours.error === 'team.bad.time') {
      const row = this.days.find((d) => d.day === hours.day);
      return this.refuse(() => t('team.bad.time', { day: t('team.day' + hours.day) }), row.opens);
    }
    if (hours.error) return this.refuse(() => t(hours.error, { value: hours.value }), el.closed);
    const members = [...el.list.querySelectorAll('input:checked')].map((b) => b.value);
    const body = { name, description: el.description.value, visible: el.visible.checked,
      position: team?.position ?? 0, hours: hours.spec };
    this.say(() => t('team.saving'));
    el.save.disabled = true;
    try {
      let saved;
      if (!team) {
        saved = await this.panel.api('POST', 'api/teams', { ...body, members });
      } else {
        const path = 'api/teams/' + encodeURIComponent(team.id);
        saved = await this.panel.api('PUT', path, { ...body, version: team.version });
        this.editing = { team: saved }; // saved so far: a retry starts from here
        if (!team.everyone && [...members].sort().join() !== [...(team.members ?? [])].sort().join()) {
          saved = await this.panel.api('PUT', path + '/members', { agents: members, version: saved.version });
        }
      }
      this.opener = saved.id;
      this.close(true);
      this.panel.changed(saved.id, saved, 'team.saved', teamName(saved));
    } catch (e) {
      el.save.disabled = false;
      if (e.code === 'conflict' && team) this.reload(team.id);
      else this.say(() => errorText(e.code));
    }
  }

  // reload puts the team as it is now into the form, after someone else
  // changed it.
  async reload(id) {
    try {
      if (await this.load(id)) this.say(() => t('team.reloaded'));
    } catch (e) {
      this.say(() => errorText(e.code));
    }
  }

  async archive(id) {
    const team = this.editing?.team;
    if (!id || !team || team.id !== id) return;
    this.el.archive.disabled = true;
    try {
      await this.panel.api('DELETE', 'api/teams/' + encodeURIComponent(id));
      this.opener = null;
      this.close(true);
      this.panel.changed(id, null, 'team.archivedNotice', teamName(team));
    } catch (e) {
      this.say(() => errorText(e.code));
    } finally {
      this.el.archive.disabled = false;
    }
  }

  // close hides the form; refocus gives the keyboard back to the row's
  // Edit button (or New team).
  close(refocus = false) {
    this.archiveAsk.reset();
    const open = !this.el.form.hidden;
    this.editing = undefined;
    this.el.form.hidden = true;
    this.say(() => '');
    if (refocus && open) this.panel.focusEdit(this.opener);
  }
}
