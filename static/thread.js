// Thread draws one conversation's lines in an <ol>: messages as the client
// gives them (each once, in order), the page's own messages still on their
// way (pending, at the end, until the server's copy replaces them), and
// notices. Own messages carry a mark: sending, delivered (stored, acked) or
// read (the other side's read mark reached it). Text only, never HTML.
//
// A long conversation arrives as its newest page; when the user scrolls
// to the top, the thread asks for the page before its oldest line
// (askOlder, the client's older) and puts it above, keeping in place what
// the user is looking at.

import { h, clockTime } from './ui.js';
import { t } from './i18n.js';
import { errorText } from './error-text.js';
import { fileView } from './attachments.js';

// OLDER_AT_PX is how near the top a scroll must come for the page before
// to be asked for.
const OLDER_AT_PX = 48;

const MARKS = {
  sending: ['…', 'mark.sending'],
  delivered: ['✓', 'mark.delivered'],
  read: ['✓✓', 'mark.read'],
  failed: ['!', 'mark.failed'],
};

export class Thread {
  // askOlder(before) resolves to {history, more}: the page of messages
  // before seq before. Without it the thread shows what it is given.
  constructor(list, askOlder = null) {
    this.list = list;
    this.askOlder = askOlder;
    this.readUpTo = 0; // the other side's read mark
    this.lastSeq = 0;
    // firstSeq: the oldest message shown; more: the server has older ones.
    this.older = { firstSeq: 0, more: false, loading: false };
    if (askOlder) list.addEventListener('scroll', () => this.loadOlder());
  }

  clear() {
    this.list.replaceChildren();
    this.readUpTo = 0;
    this.lastSeq = 0;
    // A new object: an answer to a request made before is left unused.
    this.older = { firstSeq: 0, more: false, loading: false };
  }

  // follows says whether conv frame f's history follows on from the lines
  // shown; if not (the client was away long, and the frame brings only the
  // newest page), the page clears the thread before its history comes.
  follows(f) {
    return !f.more || f.after <= this.lastSeq;
  }

  // opened takes a conv frame's word that older messages exist than its
  // history, and asks for them (once its history is in) if the list has
  // room to show more.
  opened(f) {
    if (f.more) this.older.more = true;
    setTimeout(() => this.loadOlder(), 0);
  }

  // message adds a stored message, replacing its pending copy.
  message(m) {
    if (m.mine && m.cid) this.pendingLine(m.cid)?.remove();
    const li = this.line(m);
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    if (!this.older.firstSeq || m.seq < this.older.firstSeq) this.older.firstSeq = m.seq;
    this.list.insertBefore(li, this.list.querySelector('.msg.pending'));
    return li;
  }

  line(m) {
    const li = h('li', { class: m.mine ? 'msg mine' : 'msg', 'data-seq': m.seq, 'data-cid': m.cid || undefined },
      h('span', { class: 'from', text: m.from?.name ?? '' }),
      m.file ? fileView(m.file) : h('span', { class: 'text', text: m.text }),
      h('span', { class: 'meta' }, h('time', { datetime: m.at, text: clockTime(m.at) })));
    if (m.mine) this.mark(li, m.seq <= this.readUpTo ? 'read' : 'delivered');
    return li;
  }

  // loadOlder asks for the page before the oldest line when the list is
  // shown, scrolled to (or too short to scroll from) the top, and the
  // server has older lines; then again, until the list can scroll.
  loadOlder() {
    const o = this.older;
    const list = this.list;
    if (!this.askOlder || !o.more || o.loading || !o.firstSeq || list.clientHeight === 0 || list.scrollTop > OLDER_AT_PX) return;
    o.loading = true;
    this.askOlder(o.firstSeq).then((page) => {
      if (o !== this.older) return; // cleared meanwhile
      this.prepend(page.history);
      o.more = page.more;
      o.loading = false;
      this.loadOlder();
    }, () => {
      o.loading = false; // the next scroll asks again
    });
  }

  // prepend puts older messages above the lines, keeping the distance from
  // the bottom, so what the user is reading stays where it was.
  prepend(msgs) {
    const list = this.list;
    const fromBottom = list.scrollHeight - list.scrollTop;
    const top = list.firstChild;
    for (const m of msgs) {
      if (m.seq >= this.older.firstSeq) continue; // shown already
      list.insertBefore(this.line(m), top);
    }
    if (msgs.length > 0) this.older.firstSeq = Math.min(this.older.firstSeq, msgs[0].seq);
    list.scrollTop = list.scrollHeight - fromBottom;
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

  // failed marks a pending message refused for good, with its error code:
  // the mark says why in the page's language, and again after a switch.
  failed(cid, code) {
    const li = this.pendingLine(cid);
    if (!li) return;
    li.classList.add('failed');
    li.dataset.code = code;
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
    mark.textContent = `${symbol} ${t(key, { why: state === 'failed' ? errorText(li.dataset.code) : '' })}`;
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
