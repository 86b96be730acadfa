// A conversation's hand-offs in the console's thread: "Alice transferred
// this chat to Bob: refund checked", "Sent back to the queue by Bea". They
// come with every conv frame to an agent (the server keeps them with the
// conversation), so they show live, after a reload and after a restart;
// the customer never gets them. Each goes where it happened among the
// lines, by time, and only once.

import { t } from './i18n.js';

const shown = new WeakMap(); // a hand-off's line → the hand-off, to relabel

// showHandoffs puts f's hand-offs in thread, once its history is in; me is
// this agent's id, for "to you".
export function showHandoffs(thread, handoffs, me) {
  for (const ho of handoffs ?? []) {
    const key = `${ho.at}|${ho.by?.id ?? ''}`;
    if (thread.list.querySelector(`li[data-handoff="${CSS.escape(key)}"]`)) continue;
    const li = thread.notice(handoffText(ho, me));
    shown.set(li, ho);
    li.dataset.handoff = key;
    li.classList.add('handoff');
    placeByTime(thread.list, li, Date.parse(ho.at));
  }
}

// relabelHandoffs redraws the hand-offs' lines in the current language.
export function relabelHandoffs(list, me) {
  for (const li of list.querySelectorAll('li[data-handoff]')) {
    const ho = shown.get(li);
    if (ho) li.querySelector('.text').textContent = handoffText(ho, me);
  }
}

function handoffText(ho, me) {
  const vars = { by: ho.by?.name ?? '', to: ho.to?.name ?? '', note: ho.note ?? '' };
  let key = !ho.to ? 'handoff.requeued' : ho.to.id === me ? 'handoff.toYou' : 'handoff.transferred';
  if (ho.note) key += 'Note';
  return t(key, vars);
}

// placeByTime moves li before the first message stored after it happened;
// it stays at the end (before lines still sending) when none was.
function placeByTime(list, li, at) {
  if (Number.isNaN(at)) return;
  for (const m of list.querySelectorAll('.msg[data-seq]')) {
    const when = Date.parse(m.querySelector('time')?.getAttribute('datetime') ?? '');
    if (when > at) {
      list.insertBefore(li, m);
      return;
    }
  }
}
