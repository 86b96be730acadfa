// Pieces of the customer widget that are not about the protocol: the
// rating's stars and the wait estimate in words.

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
