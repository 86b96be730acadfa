// The widget's teams (issue 18): which team the customer talks to, whether
// it can serve now, and when a closed one opens, worded in the customer's
// own time zone. The page asks GET /api/widget before showing anything to
// type in; the pure parts here are tested in node (test/customer-teams.test.js).

import { t, language } from './i18n.js';

// fetchWidget asks the server which teams the widget offers; null when it
// cannot say (the page then falls back to the general team's queue).
export async function fetchWidget(team) {
  try {
    const res = await fetch('/api/widget' + (team ? '?team=' + encodeURIComponent(team) : ''), { cache: 'no-store' });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

// chooseTeam is the team the page starts on: the one the page names
// (?team= or widget.js's data-team) when the server knows it, the only
// team offered, or none yet (null: the customer picks).
export function chooseTeam(widget, named) {
  if (!widget) return { id: '', available: true, open: true }; // today's flow: the general queue
  if (named && widget.team) return widget.team;
  if (widget.picker === false) return widget.teams.find((x) => x.id === 'tm_general') ?? { id: '', available: true, open: true };
  if (widget.teams.length === 1) return widget.teams[0];
  if (widget.teams.length === 0) return { id: '', available: true, open: true };
  return null;
}

// opensText words a closed team's next opening in the customer's zone,
// with the zone's short name: "周一 09:00 (GMT+8)".
export function opensText(nextOpen, lang = language(), timeZone = undefined) {
  const at = new Date(nextOpen);
  const fmt = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short', timeZone,
  });
  return fmt.format(at);
}

// statusText says where a team stands for the picker and the start screen.
export function statusText(team, timeZone = undefined) {
  if (team.available) return t('teams.online', { n: team.online });
  if (!team.open && team.nextOpen) return t('teams.closedOpens') + ' ' + opensText(team.nextOpen, language(), timeZone) + ' ' + t('teams.yourTime');
  if (!team.open) return t('teams.closed');
  return t('teams.nobody');
}

// fillStatus writes team's standing into e: a closed team's next opening
// as a <time> in the customer's zone, its datetime the UTC instant.
export function fillStatus(e, team) {
  e.replaceChildren();
  e.className = team.available ? 'team-status open' : 'team-status closed';
  if (team.open || !team.nextOpen) {
    e.textContent = statusText(team);
    return;
  }
  const when = document.createElement('time');
  when.dateTime = team.nextOpen;
  when.textContent = opensText(team.nextOpen);
  e.append(t('teams.closedOpens') + ' ', when, ' ' + t('teams.yourTime'));
}

// drawPicker fills list with one choice per team, each with its
// description and status; onPick gets the team chosen.
export function drawPicker(list, teams, chosenId, onPick) {
  list.replaceChildren();
  for (const team of teams) {
    const label = document.createElement('label');
    label.className = 'team-choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'team';
    input.value = team.id;
    input.checked = team.id === chosenId;
    input.addEventListener('change', () => onPick(team));
    const name = document.createElement('strong');
    name.textContent = team.name;
    const about = document.createElement('span');
    about.className = 'note';
    about.textContent = team.description;
    const status = document.createElement('span');
    fillStatus(status, team);
    label.append(input, name, about, status);
    list.append(label);
  }
}
