// The supervisor view's ratings: the team's tile and each agent's cell in
// the agents table, from GET /api/ratings (ratings.js asks).

import { t } from './i18n.js';
import { ratingAverage, ratingText } from './ratings.js';

// drawTeam fills the team tile from body (null before the first answer).
export function drawTeam(value, detail, body) {
  const team = body?.team;
  const avg = ratingAverage(team);
  value.textContent = avg || '—';
  detail.textContent = !body ? '' : avg ? t('tile.ratingDetail', { n: team.count }) : t('rating.none');
}

// ratingCell is the agents table's cell for the agent with id.
export function ratingCell(body, id) {
  const td = document.createElement('td');
  td.className = 'rating';
  const r = body?.agents?.find((a) => a.id === id);
  td.textContent = body ? ratingText(r) : '—';
  return td;
}
