// History and search (issue 19), in the console and the supervisor view:
// a form (words, label, dates), the conversations found, newest first,
// and a transcript of the one opened, with its private notes and labels,
// scrolled to the message that matched. Words or a label search
// (GET api/search); neither lists the newest conversations
// (GET api/conversations). What a caller may read is the server's rule:
// an agent the conversations it served, a supervisor all of them.

import { h, clockTime } from './ui.js';
import { language, t } from './i18n.js';
import { errorText } from './error-text.js';
import { fileView } from './attachments.js';

// PAGE is how many conversations a page of results holds: a screenful;
// Older results asks for the next.
const PAGE = 20;

export class HistoryPanel {
  // root is an empty element the panel fills; token() is the login
  // token; all asks for everyone's conversations (a supervisor).
  constructor(root, { token, all = false }) {
    Object.assign(this, { root, token, all });
    this.q = h('input', { type: 'search', id: 'history-q', autocomplete: 'off' });
    this.label = h('input', { id: 'history-label', autocomplete: 'off', maxlength: 32 });
    this.from = h('input', { type: 'date', id: 'history-from' });
    this.to = h('input', { type: 'date', id: 'history-to' });
    this.go = h('button', { type: 'submit', id: 'history-go' });
    this.form = h('form', { class: 'history-form', role: 'search' },
      this.field(this.q, 'history.query'), this.field(this.label, 'history.label'),
      this.field(this.from, 'history.from'), this.field(this.to, 'history.to'), this.go);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.search();
    });
    this.status = h('p', { class: 'note', role: 'status' });
    this.list = h('ul', { class: 'history-results', id: 'history-results' });
    this.more = h('button', { type: 'button', class: 'quiet', id: 'history-more', hidden: true, onclick: () => this.search(true) });
    this.back = h('button', { type: 'button', class: 'quiet', id: 'history-back', onclick: () => this.showList() });
    this.heading = h('h3', { id: 'history-heading' });
    this.tags = h('p', { class: 'note', id: 'history-tags' });
    this.lines = h('ol', { class: 'messages history-lines', id: 'history-lines' });
    this.transcript = h('div', { class: 'history-transcript', hidden: true }, this.back, this.heading, this.tags, this.lines);
    root.replaceChildren(this.form, this.status, this.list, this.more, this.transcript);
    this.results = [];
    this.asked = null; // the last search's path and parameters, for its next page
    this.next = ''; // the cursor of the page after the last one shown; '' when none
    this.gen = 0; // counts requests: only the newest one's answer is shown
    this.draw();
  }

  field(input, key) {
    const label = h('label', { for: input.id, 'data-key': key });
    return h('span', { class: 'history-field' }, label, input);
  }

  // search asks for what the form says, or the newest when it says
  // nothing; more asks for the next page of the last search, kept below
  // what is shown (both APIs page with before=next).
  // Only the newest request's answer is shown (gen): a page that comes
  // back after a new search was asked for is dropped, and More is off
  // while its page is on its way, so no page is appended twice.
  async search(more = false) {
    if (more && (!this.asked || !this.next)) return;
    const gen = ++this.gen;
    if (!more) {
      this.asked = this.query();
      this.next = '';
      this.more.hidden = true;
    }
    this.more.disabled = true;
    const { path, params } = this.asked;
    const p = new URLSearchParams(params);
    if (more) p.set('before', this.next);
    const body = await this.get(`${path}?${p}`);
    if (gen !== this.gen) return;
    this.more.disabled = false;
    if (!body) return;
    const found = path === 'api/search'
      ? (body.results ?? []).map((r) => ({ conv: r.conversation, seq: r.seq ?? 0, snippet: r.snippet ?? '' }))
      : (body.conversations ?? []).map((c) => ({ conv: c, seq: 0, snippet: '' }));
    this.results = more ? [...this.results, ...found] : found;
    this.next = body.next ?? '';
    this.showList();
  }

  // query is the form as a request: search with words, a label or dates,
  // else the list of the newest.
  query() {
    const q = this.q.value.trim();
    const label = this.label.value.trim();
    const p = new URLSearchParams();
    let path = 'api/conversations';
    if (q || label || this.from.value || this.to.value) {
      path = 'api/search';
      if (q) p.set('q', q);
      if (label) p.set('label', label);
      if (this.from.value) p.set('from', this.from.value);
      if (this.to.value) p.set('to', this.to.value);
    }
    if (this.all) p.set('all', '1');
    p.set('limit', String(PAGE));
    return { path, params: p.toString() };
  }

  showList() {
    this.transcript.hidden = true;
    this.list.hidden = false;
    this.more.hidden = this.next === '';
    this.drawList();
  }

  drawList() {
    this.status.textContent = this.results.length === 0 ? t('history.none') : '';
    this.list.replaceChildren(...this.results.map((r) => {
      const c = r.conv;
      return h('li', { class: 'history-item' },
        h('button', { type: 'button', class: 'history-pick', 'data-conv': c.id, onclick: () => this.open(r) },
          h('span', { class: 'name', text: t('history.with', { customer: c.customer?.name ?? '', agent: c.agent?.name ?? t('history.noAgent') }) }),
          h('span', { class: 'when', text: `${t('history.started', { when: dayTime(c.startedAt) })} · ${c.endedAt ? t('history.ended') : t('history.openNow')}` }),
          (c.labels ?? []).length ? h('span', { class: 'labels', text: t('history.labels', { labels: c.labels.join(', ') }) }) : null,
          r.snippet ? h('span', { class: 'snippet', text: r.snippet }) : null));
    }));
  }

  // open shows r's conversation whole, its notes among the messages, and
  // scrolls to the message that matched.
  async open(r) {
    const id = encodeURIComponent(r.conv.id);
    const [rec, page] = await Promise.all([this.get(`api/conversations/${id}`), this.messages(id)]);
    if (!rec || !page) return;
    this.heading.textContent = t('history.with', { customer: rec.customer?.name ?? '', agent: rec.agent?.name ?? t('history.noAgent') });
    this.tags.textContent = (rec.labels ?? []).length ? t('history.labels', { labels: rec.labels.join(', ') }) : '';
    const notes = [...(rec.notes ?? [])];
    const items = [];
    for (const m of page) {
      items.push(line(m, r.seq));
      while (notes.length && notes[0].after <= m.seq) items.push(noteLine(notes.shift()));
    }
    items.push(...notes.map(noteLine));
    this.lines.replaceChildren(...items);
    this.list.hidden = true;
    this.more.hidden = true;
    this.transcript.hidden = false;
    this.lines.querySelector('.match')?.scrollIntoView({ block: 'center' });
  }

  // messages reads all of a conversation's messages, a page at a time.
  async messages(id) {
    const all = [];
    for (let after = 0; ;) {
      const body = await this.get(`api/conversations/${id}/messages?after=${after}&limit=1000`);
      if (!body) return null;
      all.push(...(body.messages ?? []));
      if (!body.more || all.length === 0) return all;
      after = all[all.length - 1].seq;
    }
  }

  async get(path) {
    try {
      const res = await fetch(path, { headers: { Authorization: 'Bearer ' + this.token() }, cache: 'no-store' });
      const body = await res.json().catch(() => null);
      if (res.ok) return body ?? {};
      this.status.textContent = t('history.failed', { message: errorText(body ?? 'network') });
    } catch {
      this.status.textContent = t('history.failed', { message: errorText('network') });
    }
    return null;
  }

  // draw puts the words in the current language.
  draw() {
    for (const l of this.form.querySelectorAll('label[data-key]')) l.textContent = t(l.dataset.key);
    this.go.textContent = t('history.search');
    this.back.textContent = t('history.back');
    this.more.textContent = t('history.more');
    if (!this.list.hidden) this.drawList();
  }
}

function line(m, match) {
  return h('li', { class: m.seq === match ? 'msg match' : 'msg', 'data-seq': m.seq },
    h('span', { class: 'from', text: m.from?.name ?? '' }),
    m.file ? fileView(m.file) : h('span', { class: 'text', text: m.text }),
    h('span', { class: 'meta' }, h('time', { datetime: m.at, text: clockTime(m.at) })));
}

function noteLine(n) {
  return h('li', { class: 'msg note', 'data-note': n.n },
    h('span', { class: 'from', text: t('history.note', { name: n.from?.name ?? '' }) }),
    h('span', { class: 'text', text: n.text }),
    h('span', { class: 'meta' }, h('time', { datetime: n.at, text: clockTime(n.at) })));
}

function dayTime(at) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(language() === 'zh' ? 'zh-CN' : 'en', { dateStyle: 'medium', timeStyle: 'short' });
}
