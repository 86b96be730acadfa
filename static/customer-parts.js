// Pieces of the customer widget that are not about the protocol: the
// rating's stars, the wait estimate in words and the tab's title.

import { t } from './i18n.js';
import { h } from './ui.js';

// drawStars fills holder with five radio buttons drawn as stars: a radio
// group is what keyboards and screen readers know how to use.
export function drawStars(holder) {
  const chosen = chosenStars(holder);
  holder.replaceChildren();
  for (let n = 1; n <= 5; n++) {
    const id = `star-${n}`;
    const input = h('input', { type: 'radio', name: 'rating', id, value: n });
    input.checked = n === chosen;
    input.addEventListener('change', () => light(holder));
    holder.append(input, h('label', { for: id },
      h('span', { 'aria-hidden': 'true', text: '★' }),
      h('span', { class: 'sr-only', text: t('rate.star', { n }) })));
  }
  light(holder);
}

// chosenStars is the rating picked, 0 for none.
export function chosenStars(holder) {
  return Number(holder.querySelector('input:checked')?.value ?? 0);
}

function light(holder) {
  const n = chosenStars(holder);
  holder.querySelectorAll('label').forEach((l, i) => l.classList.toggle('on', i < n));
}

// waitText puts an estimate in seconds into rounded words: it is an
// estimate, and "about 2 min" says so better than "117 seconds".
export function waitText(seconds) {
  if (seconds < 60) return t('wait.lessMinute');
  if (seconds < 3600) return t('wait.minutes', { n: Math.round(seconds / 60) });
  return t('wait.hours', { n: Math.round(seconds / 360) / 10 });
}

// etaText is the queue's estimate at time now (ms): queued is the last
// queued frame, with at, the time it came. The server's eta counts down
// from then; past zero the estimate was wrong, and saying "about 0 min"
// would pretend it was not. eta null means no agent is online to wait for.
export function etaText(queued, now) {
  if (queued.eta === null || queued.eta === undefined) return t('queue.noAgent');
  const left = queued.eta - (now - queued.at) / 1000;
  if (left <= 0) return t('queue.soon');
  return t('queue.eta', { wait: waitText(left) });
}

// waitedText is the time waited since since (ms) at now, "Waiting 1:23".
export function waitedText(since, now) {
  return t('queue.waited', { time: clockText(now - since) });
}

// clockText shows ms as m:ss, or h:mm:ss from an hour.
export function clockText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

// titleText is the widget tab's title: the count of the agent's lines the
// customer has not seen, else the agent who joined unseen, else the page's.
export function titleText(unseen, arrived) {
  if (unseen > 0) return t(unseen === 1 ? 'title.unread' : 'title.unreadMany', { n: unseen });
  if (arrived) return t('title.joined', { name: arrived });
  return t('title');
}
