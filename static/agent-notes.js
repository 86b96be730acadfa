// Private notes in the console (issue 19): lines an agent writes in a chat
// for colleagues and supervisors, never for the customer. The reply box
// has a "Note" switch: while it is on, the box is marked, Enter adds a
// note (a note frame, not a msg) and no typing notice goes out. A stored
// note comes back in a note frame (the server's copy replaces the pending
// one by its cid), and every conv frame to an agent carries the newest.
// Each shows once, after the message that was the newest when it was
// written (its "after").

import { h, clockTime } from './ui.js';
import { t } from './i18n.js';

// NoteSwitch is the reply box's note mode.
export class NoteSwitch {
  // button toggles it; form is the reply box's, marked while it is on;
  // text is the box; send the send button, whose words change.
  constructor(button, form, text, send) {
    Object.assign(this, { button, form, text, send });
    this.on = false;
    button.addEventListener('click', () => {
      this.set(!this.on);
      text.focus();
    });
    this.draw();
  }

  set(on) {
    this.on = on;
    this.draw();
  }

  draw() {
    this.button.setAttribute('aria-pressed', String(this.on));
    this.form.classList.toggle('noting', this.on);
    this.text.placeholder = t(this.on ? 'note.placeholder' : 'chat.placeholder');
    this.send.textContent = t(this.on ? 'note.send' : 'chat.send');
    this.button.textContent = t('note.switch');
  }
}

// showNotes puts a conv frame's notes in thread, once its history is in.
export function showNotes(thread, notes) {
  for (const n of notes ?? []) showNote(thread, n);
}

// showNote puts one stored note in thread, once: before the first message
// stored after it, else at the end (before lines still sending).
export function showNote(thread, n) {
  const list = thread.list;
  if (list.querySelector(`li[data-note="${n.n}"]`)) return;
  if (n.cid) pendingNote(list, n.cid)?.remove();
  const next = [...list.querySelectorAll('.msg[data-seq]')].find((m) => Number(m.dataset.seq) > n.after);
  list.insertBefore(noteLine(n.from?.name ?? '', n.text, n.at, { 'data-note': n.n }), next ?? list.querySelector('.msg.pending'));
}

// showPendingNote shows a note this page sent and the server has not
// stored yet, at the end.
export function showPendingNote(thread, cid, text, from) {
  const li = noteLine(from, text, '', { 'data-cid': cid });
  li.classList.add('pending');
  thread.list.append(li);
}

// noteRefused marks a pending note the server refused, and says whether
// cid was one.
export function noteRefused(thread, cid) {
  const li = cid && thread ? pendingNote(thread.list, cid) : null;
  if (!li) return false;
  li.classList.add('failed');
  return true;
}

function pendingNote(list, cid) {
  for (const li of list.querySelectorAll('.note.pending')) if (li.dataset.cid === cid) return li;
  return null;
}

// relabelNotes redraws the notes' "note by" words in the current language.
export function relabelNotes(list) {
  for (const li of list.querySelectorAll('li.note')) li.querySelector('.from').textContent = t('note.from', { name: li.dataset.from });
}

function noteLine(from, text, at, attrs) {
  return h('li', { class: 'msg note', 'data-from': from, ...attrs },
    h('span', { class: 'from', text: t('note.from', { name: from }) }),
    h('span', { class: 'text', text }),
    h('span', { class: 'meta' }, at ? h('time', { datetime: at, text: clockTime(at) }) : null));
}
