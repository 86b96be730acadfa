// The console's transfer form. The target starts unchosen ("Choose…") and
// Transfer stays disabled until the agent picks one, so no press sends a
// chat anywhere by default; an optional note goes with it to the next
// agent. The server names who sent it, from the agent's own session.
// Targets are the queue, the teams (GET /api/teams; a closed one cannot
// be chosen) and the agents online.

import { h } from './ui.js';
import { t } from './i18n.js';
import { teamName } from './agent-inbox.js';

// NOTE_MAX_UNITS keeps a note within the server's 1000 bytes of UTF-8
// (MaxHandoffNote, docs/protocol.md) in any script: maxlength counts UTF-16
// units, and no unit takes more than 3 bytes (a 4-byte character is two).
const NOTE_MAX_UNITS = 333;

export class TransferForm {
  // el: {form, to, note, go, cancel, open}; onSend(to, note) sends it.
  constructor(el, { onSend }) {
    this.el = el;
    this.agents = []; // the latest agents frame
    this.teams = []; // the latest GET /api/teams list
    this.me = '';
    this.conv = null; // the conversation the form was opened for
    el.note.maxLength = NOTE_MAX_UNITS;
    el.to.addEventListener('change', () => this.enable());
    el.cancel.addEventListener('click', () => this.close(true));
    el.form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close(true);
    });
    el.form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (el.to.value === '') return;
      if (onSend(el.to.value, el.note.value.trim()) !== false) this.close(true);
    });
  }

  // open shows the form afresh: nothing chosen, no note.
  open() {
    this.draw();
    this.el.to.value = '';
    this.el.note.value = '';
    this.enable();
    this.el.form.hidden = false;
    this.el.to.focus();
  }

  close(refocus) {
    if (this.el.form.hidden) return;
    this.el.form.hidden = true;
    if (refocus && !this.el.open.hidden) this.el.open.focus();
  }

  enable() {
    this.el.go.disabled = this.el.to.value === '';
  }

  // setAgents takes an agents frame's list; me is this agent's id.
  setAgents(agents, me) {
    this.agents = agents;
    this.me = me;
    this.draw();
  }

  // setTeams takes GET /api/teams' list.
  setTeams(teams) {
    this.teams = teams;
    this.draw();
  }

  // refusal is the agent's words for a transfer's error frame that the
  // shared ones word for customers, or null.
  refusal(f) {
    return f.code === 'team_closed' ? t('thread.teamClosedNow') : null;
  }

  // draw lists the targets, keeping the agent's choice while it is still
  // one that can be chosen.
  draw() {
    const chosen = this.el.to.value;
    const options = [
      h('option', { value: '', disabled: true, text: t('thread.choose') }),
      h('option', { value: 'queue', text: t('thread.queue') }),
    ];
    const teams = this.teams.map((tm) => h('option', {
      value: tm.id, disabled: !tm.open,
      text: t(tm.open ? 'thread.teamOption' : 'thread.teamClosed', { name: teamName(tm) }),
    }));
    const agents = [];
    for (const a of this.agents) {
      if (a.id === this.me) continue;
      const free = a.status === 'available' && a.load < a.capacity;
      agents.push(h('option', {
        value: a.id, disabled: !free,
        text: t('thread.agentOption', { name: a.name, status: t('status.' + a.status), load: a.load, capacity: a.capacity }),
      }));
    }
    // replaceChildren would show a null as the text "null": filter it.
    this.el.to.replaceChildren(...[...options,
      teams.length ? h('optgroup', { label: t('thread.teams') }, ...teams) : null,
      agents.length ? h('optgroup', { label: t('thread.agents') }, ...agents) : null].filter(Boolean));
    options.push(...teams, ...agents);
    const still = options.some((o) => o.value === chosen && !o.disabled);
    this.el.to.value = still ? chosen : '';
    this.enable();
  }
}
