// Desk holds the agent's conversations: one record and one Thread (its
// own <ol>) each, and the list on the left with unread counts and the
// newest line. Only the selected conversation's thread is shown; the others
// keep their lines, so switching never reloads or repeats anything.
//
// Each entry says how long its customer has waited for the agent
// (rec.waitingSince, the time of their oldest unanswered line; the page
// keeps it); the list is in the order the chats came, or with order
// 'waiting', the longest waiting first and ended chats last.

import { h } from './ui.js';
import { t } from './i18n.js';
import { Thread } from './thread.js';
import { TAG_SEP, nameTags } from './agent-names.js';

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
    this.order = 'arrival'; // or 'waiting'
    this.tags = new Map(); // customer id -> the tag that tells same names apart
  }

  // label is rec's customer as the console names them: the name, and the
  // end of their id when another open chat's customer has the same name.
  label(rec) {
    const name = rec?.customer?.name ?? '';
    const tag = this.tags.get(rec?.customer?.id);
    return tag ? name + TAG_SEP + tag : name;
  }

  // tagOf is the element that shows rec's tag, or null.
  tagOf(rec) {
    const tag = this.tags.get(rec.customer?.id);
    return tag ? h('span', { class: 'cid', text: TAG_SEP + tag }) : null;
  }

  // retag works out the tags again; true if any changed.
  retag() {
    const tags = nameTags([...this.recs.values()].map((r) => r.customer));
    const same = tags.size === this.tags.size && [...tags].every(([id, tag]) => this.tags.get(id) === tag);
    this.tags = tags;
    return !same;
  }

  setOrder(order) {
    this.order = order === 'waiting' ? 'waiting' : 'arrival';
    this.arrange();
  }

  // arrange puts the list's entries in this.order, moving none when they
  // are in it already (a moved button loses the keyboard focus).
  arrange() {
    const recs = [...this.recs.values()];
    if (this.order === 'waiting') {
      const key = (r) => (r.ended ? Infinity : r.waitingSince || Number.MAX_VALUE);
      recs.sort((a, b) => key(a) - key(b)); // stable: arrival order breaks ties
    }
    const items = recs.map((r) => r.item);
    if (items.every((item, i) => this.list.children[i] === item)) return;
    const focused = document.activeElement;
    this.list.append(...items);
    if (focused && this.list.contains(focused)) focused.focus();
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
    // A second customer of the same name tags the first one's entry too.
    this.draw(this.retag() ? null : rec);
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
    this.retag();
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
    // replaceChildren would show a null as the text "null": filter it.
    button.replaceChildren(...[
      h('span', { class: 'name' }, rec.customer?.name ?? '', this.tagOf(rec)),
      tag ?? h('span', {}),
      h('span', { class: 'last', text: last }),
      waitingText(rec) ? h('span', { class: 'wait', text: waitingText(rec) }) : null,
    ].filter(Boolean));
    this.arrange();
  }

  // next returns the chat to go to next: the one waiting longest with
  // something unseen (a new customer, unread lines), else the one after
  // the selected one in the list; null with nothing else.
  next() {
    let best = null;
    for (const r of this.recs.values()) {
      if (r === this.active || r.ended || !(r.isNew || r.unread > 0)) continue;
      if (!best || (r.waitingSince || Infinity) < (best.waitingSince || Infinity)) best = r;
    }
    if (best) return best;
    const items = [...this.list.children];
    const at = this.active ? items.indexOf(this.active.item) : -1;
    const item = items[(at + 1) % items.length];
    const id = item?.firstElementChild?.dataset.conv;
    return id && this.recs.get(id) !== this.active ? this.recs.get(id) : null;
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

// waitingText is "waiting 3 m" for a chat whose customer waits for the
// agent, '' for one that is answered or ended.
function waitingText(rec) {
  if (!rec.waitingSince || rec.ended) return '';
  const m = Math.floor(Math.max(0, Date.now() - rec.waitingSince) / 60000);
  return m < 1 ? t('list.waitingNow') : t('list.waiting', { m });
}
