// Labels on the chat on screen (issue 19): chips under the thread's title,
// each with a remove button, and a field that adds one on Enter. They are
// the conversation's record, read and written over HTTP
// (GET /api/conversations/{id}, PUT /api/conversations/{id}/labels), not
// its log: the customer never sees them. The server answers with the set
// as stored (lower case, sorted, once each), which is what is drawn.

import { h } from './ui.js';
import { t } from './i18n.js';

export const MAX_LABELS = 20;
export const MAX_LABEL_CHARS = 32;

// labelOK says whether a label the agent typed may be sent: one word of
// 1 to 32 characters without commas (the server checks again).
export function labelOK(label) {
  const l = label.trim();
  return l !== '' && [...l].length <= MAX_LABEL_CHARS && !/[\s,]/u.test(l);
}

export class Labels {
  // root holds list (the chips) and input; token() is the login token;
  // say(text) tells the agent something went wrong.
  constructor(root, list, input, { token, say }) {
    Object.assign(this, { root, list, input, token, say });
    this.rec = null; // the conversation shown
    this.gen = 0; // counts shows: an answer for an earlier one is stale
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.isComposing) return;
      e.preventDefault();
      this.add(input.value);
    });
  }

  // show draws rec's labels, asking the server for them the first time.
  async show(rec) {
    const gen = ++this.gen;
    this.rec = rec;
    this.root.hidden = !rec;
    this.draw();
    if (!rec || rec.labels) return;
    const body = await this.call('GET', `api/conversations/${encodeURIComponent(rec.id)}`);
    if (gen !== this.gen || !body) return;
    rec.labels = body.labels ?? [];
    this.draw();
  }

  add(label) {
    const rec = this.rec;
    if (!rec?.labels) return;
    if (!labelOK(label)) {
      this.say(t('labels.bad', { max: MAX_LABEL_CHARS }));
      return;
    }
    if (rec.labels.length >= MAX_LABELS) {
      this.say(t('labels.tooMany', { max: MAX_LABELS }));
      return;
    }
    this.input.value = '';
    this.put(rec, [...rec.labels, label.trim()]);
  }

  remove(label) {
    const rec = this.rec;
    if (rec?.labels) this.put(rec, rec.labels.filter((l) => l !== label));
  }

  async put(rec, labels) {
    const body = await this.call('PUT', `api/conversations/${encodeURIComponent(rec.id)}/labels`, { labels });
    if (!body) return;
    rec.labels = body.labels ?? [];
    if (rec === this.rec) this.draw();
  }

  // call asks the API and resolves to its answer, or null once the agent
  // has been told why not.
  async call(method, path, body) {
    try {
      const res = await fetch(path, {
        method, cache: 'no-store',
        headers: { Authorization: 'Bearer ' + this.token(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const out = await res.json().catch(() => null);
      if (res.ok) return out ?? {};
      this.say(t('labels.failed', { message: out?.error ?? res.status }));
    } catch {
      this.say(t('conn.notNow'));
    }
    return null;
  }

  draw() {
    const labels = this.rec?.labels ?? [];
    this.list.replaceChildren(...labels.map((l) => h('li', { class: 'label' },
      h('span', { text: l }),
      h('button', { type: 'button', class: 'quiet', 'aria-label': t('labels.remove', { label: l }), text: '×', onclick: () => this.remove(l) }))));
    this.input.disabled = !this.rec?.labels;
    this.input.placeholder = t('labels.add');
  }
}
