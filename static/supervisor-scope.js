// The scope of the supervisor's queue, wait and agent tiles and their
// charts: the whole desk, or one team (issue 18). The server sends each
// team's share of every point (`teams` in a point); the other tiles
// (conversations, messages, time to assignment, ratings) are the desk's
// whichever scope is chosen, as the page says beside the choice.

import { t } from './i18n.js';

// DESK is the scope of the whole desk.
export const DESK = '';

// scoped is point as the scoped tiles read it: the desk's own figures, or
// the team's share. A point from before the team existed (or with the
// team archived and drained) has no share: its figures are undefined, so
// the charts leave a gap there rather than draw a zero.
export function scoped(point, scope) {
  if (scope === DESK || !point) return point;
  const share = Array.isArray(point.teams) ? point.teams.find((x) => x.id === scope) : undefined;
  return {
    ...point,
    queued: share?.queued,
    oldestWaitSeconds: share?.oldestWaitSeconds,
    agentsOnline: share?.agentsOnline,
    agentsFree: share?.agentsFree,
  };
}

// scopeChoices lists the choices for teams (the stats' teams, in the
// table's order; named by name(team)): the desk first, then each team not
// archived. With one team or none there is nothing to choose.
export function scopeChoices(teams, name) {
  const live = (Array.isArray(teams) ? teams : []).filter((x) => !x.archived);
  if (live.length < 2) return [];
  return [{ id: DESK, label: t('scope.desk') }, ...live.map((x) => ({ id: x.id, label: name(x) }))];
}

// ScopePicker is the select that chooses the scope; onChange() redraws.
// It keeps the choice across polls, and falls back to the desk when the
// team chosen is gone.
export class ScopePicker {
  constructor(select, wrap, onChange) {
    this.select = select;
    this.wrap = wrap;
    this.scope = DESK;
    select.addEventListener('change', () => {
      this.scope = select.value;
      onChange();
    });
  }

  // update offers choices; it reports whether the scope changed.
  update(choices) {
    this.wrap.hidden = choices.length === 0;
    const ids = choices.map((c) => c.id);
    const same = ids.length === this.select.options.length &&
      choices.every((c, i) => this.select.options[i].value === c.id && this.select.options[i].textContent === c.label);
    if (!same) {
      this.select.replaceChildren(...choices.map((c) => new Option(c.label, c.id)));
    }
    const before = this.scope;
    if (!ids.includes(this.scope)) this.scope = DESK;
    this.select.value = this.scope;
    return before !== this.scope;
  }
}
