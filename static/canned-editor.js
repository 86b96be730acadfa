// Keeping saved replies (issue 19): the list with each reply's shortcut
// and text, a form that adds one or changes the one being edited, and a
// delete per reply, over the canned API (GET, POST, PUT, DELETE
// api/canned, docs/operations.md "Saved replies"). An agent keeps its
// own; a supervisor's page keeps the shared ones. A change made
// elsewhere meanwhile is refused by its version (409): the list is read
// again and the person told.

import { h } from './ui.js';
import { t } from './i18n.js';
import { errorText } from './error-text.js';
import { previewText } from './agent-canned.js';

export class CannedEditor {
  // root is an empty element the editor fills; token() the login token;
  // shared says it keeps the shared replies (a supervisor's page);
  // changed() is told after every change, so a "/" menu can reload.
  constructor(root, { token, shared = false, changed = () => {} }) {
    Object.assign(this, { root, token, shared, changed });
    this.editing = null; // the reply the form changes; null: it adds
    this.replies = [];
    this.shortcut = h('input', { id: 'canned-shortcut', maxlength: 33, autocomplete: 'off', required: true });
    this.text = h('textarea', { id: 'canned-text', rows: 3, maxlength: 2000, required: true });
    this.save = h('button', { type: 'submit', id: 'canned-save' });
    this.cancel = h('button', { type: 'button', class: 'quiet', id: 'canned-cancel', hidden: true, onclick: () => this.edit(null) });
    this.status = h('p', { class: 'error', role: 'alert' });
    this.form = h('form', { class: 'canned-form' },
      h('label', { for: 'canned-shortcut', 'data-key': 'cannedEd.shortcut' }), this.shortcut,
      h('label', { for: 'canned-text', 'data-key': 'cannedEd.text' }), this.text,
      h('span', { class: 'canned-buttons' }, this.save, this.cancel), this.status);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.list = h('ul', { class: 'canned-list', id: 'canned-list' });
    this.empty = h('p', { class: 'note' });
    root.replaceChildren(this.form, this.empty, this.list);
    this.draw();
  }

  // load reads the replies afresh.
  async load() {
    const body = await this.call('GET', 'api/canned');
    if (!body) return;
    this.replies = (body.canned ?? []).filter((c) => !!c.shared === this.shared);
    this.draw();
  }

  edit(reply) {
    this.editing = reply;
    this.shortcut.value = reply?.shortcut ?? '';
    this.text.value = reply?.text ?? '';
    this.status.textContent = '';
    this.draw();
    this.shortcut.focus();
  }

  async submit() {
    const r = this.editing;
    const body = { shortcut: this.shortcut.value.trim(), text: this.text.value };
    const scope = this.shared ? '?shared=1' : '';
    const ok = r
      ? await this.call('PUT', `api/canned/${encodeURIComponent(r.id)}${scope}`, { ...body, version: r.version })
      : await this.call('POST', 'api/canned', { ...body, shared: this.shared });
    if (!ok) return;
    this.edit(null);
    await this.load();
    this.changed();
  }

  async remove(r) {
    const scope = this.shared ? '?shared=1' : '';
    if (!(await this.call('DELETE', `api/canned/${encodeURIComponent(r.id)}${scope}`))) return;
    if (this.editing?.id === r.id) this.edit(null);
    await this.load();
    this.changed();
  }

  // call asks the API; null (the person told why) when it refused.
  async call(method, path, body) {
    try {
      const res = await fetch(path, {
        method, cache: 'no-store', body: body ? JSON.stringify(body) : undefined,
        headers: { Authorization: 'Bearer ' + this.token(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      });
      const out = res.status === 204 ? {} : await res.json().catch(() => null);
      if (res.ok) return out ?? {};
      this.status.textContent = t('cannedEd.failed', { message: errorText(out ?? 'network') });
      if (res.status === 409 && out?.code === 'conflict') this.load(); // changed elsewhere: the new one shows
    } catch {
      this.status.textContent = t('cannedEd.failed', { message: errorText('network') });
    }
    return null;
  }

  draw() {
    for (const l of this.form.querySelectorAll('label[data-key]')) l.textContent = t(l.dataset.key);
    this.save.textContent = t(this.editing ? 'cannedEd.save' : 'cannedEd.add');
    this.cancel.textContent = t('cannedEd.cancel');
    this.cancel.hidden = !this.editing;
    this.empty.textContent = this.replies.length ? '' : t('cannedEd.none');
    this.list.replaceChildren(...this.replies.map((r) => h('li', { class: 'canned-item', 'data-id': r.id },
      h('span', { class: 'canned-key', text: '/' + r.shortcut }),
      h('span', { class: 'canned-text', text: previewText(r.text, 80) }),
      h('button', { type: 'button', class: 'quiet', text: t('cannedEd.edit'), onclick: () => this.edit(r) }),
      h('button', { type: 'button', class: 'quiet danger', text: t('cannedEd.delete'), onclick: () => this.remove(r) }))));
  }
}
