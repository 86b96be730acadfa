// Desk holds the agent's conversations: one record and one Thread (its
// own <ol>) each, and the list on the left with unread counts and the
// newest line. Only the selected conversation's thread is shown; the others
// keep their lines, so switching never reloads or repeats anything.

import { h } from './ui.js';
import { t } from './i18n.js';
import { Thread } from './thread.js';

export class Desk {
  // older(conv, before) is the client's: a page of older messages.
  constructor({ list, threads, empty, onSelect, older }) {
    this.list = list;
    this.threads = threads;
    this.empty = empty;
    this.onSelect = onSelect;
    this.older = older;
    this.recs = new Map(); // conv id -> record, in the order they came
    this.active = null; // the selected record
  }

  get(id) {
    return this.recs.get(id) ?? null;
  }

  // open takes a conv event: a new conversation, one given back to this
  // agent (its old lines go: its newest page comes, older ones on scroll),
  // or a resync, which starts afresh too when it does not follow on from
  // the lines shown.
  open(f) {
    let rec = this.recs.get(f.conv);
    if (!rec) {
      const ol = h('ol', { class: 'messages', 'aria-live': 'polite', 'aria-label': t('thread.messages'), hidden: true });
      this.threads.append(ol);
      const item = h('li', {}, h('button', { type: 'button', class: 'conv-item', 'data-conv': f.conv, onclick: () => this.select(f.conv) }));
      this.list.append(item);
      const thread = new Thread(ol, (before) => this.older(f.conv, before));
      rec = { id: f.conv, thread, ol, item, unread: 0, last: '', isNew: false, typing: false, ended: null };
      this.recs.set(f.conv, rec);
    } else if (f.fresh || rec.ended || !rec.thread.follows(f)) {
      rec.thread.clear();
      rec.unread = 0;
    }
    rec.thread.opened(f);
    Object.assign(rec, { customer: f.customer, agent: f.agent, ended: null });
    this.draw(rec);
    return rec;
  }

  select(id) {
    const rec = this.recs.get(id);
    if (!rec) return;
    if (this.active) this.active.ol.hidden = true;
    this.active = rec;
    rec.ol.hidden = false;
    rec.unread = 0;
    rec.isNew = false;
    for (const r of this.recs.values()) this.draw(r);
    rec.thread.scrollToEnd();
    rec.thread.loadOlder(); // a list hidden until now may have room for more
    this.onSelect(rec);
  }

  // remove drops an ended conversation from the list.
  remove(id) {
    const rec = this.recs.get(id);
    if (!rec) return;
    rec.ol.remove();
    rec.item.remove();
    this.recs.delete(id);
    if (this.active === rec) this.active = null;
    this.draw(null);
  }

  // attention counts the conversations with something the agent has not
  // seen: a new customer, or unread lines.
  attention() {
    let n = 0;
    for (const r of this.recs.values()) if (r.isNew || r.unread > 0) n++;
    return n;
  }

  // draw redraws rec's list entry (all of them with no rec), as text.
  draw(rec) {
    this.empty.hidden = this.recs.size > 0;
    if (!rec) {
      for (const r of this.recs.values()) this.draw(r);
      return;
    }
    const button = rec.item.firstElementChild;
    button.classList.toggle('ended', !!rec.ended);
    button.setAttribute('aria-current', String(rec === this.active));
    let tag = null;
    if (rec.unread > 0) {
      tag = h('span', { class: 'badge' }, String(rec.unread), h('span', { class: 'sr-only', text: ' ' + t('list.unread', { n: rec.unread }) }));
    } else if (rec.isNew) {
      tag = h('span', { class: 'badge', text: t('list.new') });
    } else if (rec.ended) {
      tag = h('span', { class: 'tag', text: t('list.ended') });
    }
    const last = rec.typing ? t('list.typing') : rec.last;
    button.replaceChildren(
      h('span', { class: 'name', text: rec.customer?.name ?? '' }),
      tag ?? h('span', {}),
      h('span', { class: 'last', text: last }));
  }

  // clear forgets every conversation (the agent signed out).
  clear() {
    for (const id of [...this.recs.keys()]) this.remove(id);
  }

  relabel() {
    for (const r of this.recs.values()) {
      r.ol.setAttribute('aria-label', t('thread.messages'));
      r.thread.relabel();
    }
    this.draw(null);
  }
}
