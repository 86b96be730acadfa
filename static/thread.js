// Thread draws one conversation's lines in an <ol>: messages as the client
// gives them (each once, in order), the page's own messages still on their
// way (pending, at the end, until the server's copy replaces them), and
// notices. Own messages carry a mark: sending, delivered (stored, acked) or
// read (the other side's read mark reached it). Text only, never HTML.

import { h, clockTime } from './ui.js';
import { t } from './i18n.js';

const MARKS = {
  sending: ['…', 'mark.sending'],
  delivered: ['✓', 'mark.delivered'],
  read: ['✓✓', 'mark.read'],
  failed: ['!', 'mark.failed'],
};

export class Thread {
  constructor(list) {
    this.list = list;
    this.readUpTo = 0; // the other side's read mark
    this.lastSeq = 0;
  }

  clear() {
    this.list.replaceChildren();
    this.readUpTo = 0;
    this.lastSeq = 0;
  }

  // message adds a stored message, replacing its pending copy.
  message(m) {
    if (m.mine && m.cid) this.pendingLine(m.cid)?.remove();
    const li = h('li', { class: m.mine ? 'msg mine' : 'msg', 'data-seq': m.seq, 'data-cid': m.cid || undefined },
      h('span', { class: 'from', text: m.from?.name ?? '' }),
      h('span', { class: 'text', text: m.text }),
      h('span', { class: 'meta' }, h('time', { datetime: m.at, text: clockTime(m.at) })));
    if (m.mine) this.mark(li, m.seq <= this.readUpTo ? 'read' : 'delivered');
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    this.list.insertBefore(li, this.list.querySelector('.msg.pending'));
    return li;
  }

  // pending shows a message the page sent and the server has not stored.
  pending(cid, text, from) {
    const li = h('li', { class: 'msg mine pending', 'data-cid': cid },
      h('span', { class: 'from', text: from }),
      h('span', { class: 'text', text }),
      h('span', { class: 'meta' }));
    this.mark(li, 'sending');
    this.list.append(li);
    return li;
  }

  // acked: the server has stored a pending message; its copy follows.
  acked(cid) {
    const li = this.pendingLine(cid);
    if (li) this.mark(li, 'delivered');
  }

  failed(cid, why) {
    const li = this.pendingLine(cid);
    if (!li) return;
    li.classList.add('failed');
    li.dataset.why = why;
    this.mark(li, 'failed');
  }

  // read moves the other side's read mark over our own messages.
  read(seq) {
    if (seq <= this.readUpTo) return;
    this.readUpTo = seq;
    for (const li of this.list.querySelectorAll('.msg.mine:not(.pending)')) {
      if (Number(li.dataset.seq) <= seq) this.mark(li, 'read');
    }
  }

  notice(text) {
    const li = h('li', { class: 'msg system' }, h('span', { class: 'text', text }));
    this.list.insertBefore(li, this.list.querySelector('.msg.pending'));
    return li;
  }

  pendingLine(cid) {
    for (const li of this.list.querySelectorAll('.msg.pending')) if (li.dataset.cid === cid) return li;
    return null;
  }

  mark(li, state) {
    li.dataset.mark = state;
    const meta = li.querySelector('.meta');
    let mark = meta.querySelector('.mark');
    if (!mark) {
      mark = h('span', { class: 'mark' });
      meta.append(mark);
    }
    mark.className = 'mark ' + state;
    const [symbol, key] = MARKS[state];
    mark.textContent = `${symbol} ${t(key, { why: li.dataset.why ?? '' })}`;
  }

  // relabel redraws the marks' words in the current language.
  relabel() {
    for (const li of this.list.querySelectorAll('.msg[data-mark]')) this.mark(li, li.dataset.mark);
    for (const time of this.list.querySelectorAll('time')) time.textContent = clockTime(time.getAttribute('datetime'));
  }

  scrollToEnd() {
    this.list.scrollTop = this.list.scrollHeight;
  }
}
