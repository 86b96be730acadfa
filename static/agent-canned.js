// The console's saved replies (docs/operations.md, "Saved replies"): the
// list comes from GET /api/canned after every welcome; typing "/" and the
// start of a shortcut in the reply box offers the matching ones under it,
// and choosing one puts its text in the box with {customer} and {agent}
// filled in. Nothing is sent: the agent reads it and presses Enter.
//
// matchCanned, fillCanned and previewText are DOM-free, so that node can
// test them (test/agent-canned.test.js); CannedMenu is the list on the page.

import { h } from './ui.js';

// MENU_MAX: the most replies the menu offers at once.
export const MENU_MAX = 8;
// PREVIEW_CHARS: how much of a reply's text the menu shows.
export const PREVIEW_CHARS = 40;

// matchCanned returns the replies to offer for the box's text, in the
// list's order: those whose shortcut starts with what follows a leading
// "/", in any letter case, at most max. It returns null when the text is
// not a shortcut being typed (no leading "/", or a space already).
export function matchCanned(list, text, max = MENU_MAX) {
  if (typeof text !== 'string' || !text.startsWith('/') || /\s/.test(text)) return null;
  const prefix = text.slice(1).toLowerCase();
  const out = [];
  for (const c of Array.isArray(list) ? list : []) {
    if (out.length >= max) break;
    if (typeof c?.shortcut !== 'string' || typeof c.text !== 'string') continue;
    if (c.shortcut.toLowerCase().startsWith(prefix)) out.push(c);
  }
  return out;
}

// fillCanned puts the names in a reply's text: every {customer} and
// {agent}; other braces stay as they are. A name not known is left empty.
export function fillCanned(text, { customer = '', agent = '' } = {}) {
  return String(text ?? '')
    .split('{customer}')
    .map((part) => part.split('{agent}').join(agent ?? ''))
    .join(customer ?? '');
}

// previewText is the start of a reply's text on one line.
export function previewText(text, max = PREVIEW_CHARS) {
  const line = String(text ?? '').replace(/\s+/g, ' ').trim();
  const chars = [...line]; // whole characters, not halves of one
  return chars.length > max ? chars.slice(0, max).join('') + '…' : line;
}

// loadCanned asks GET /api/canned with the agent's token; it resolves to
// the list, or null when that failed (it never rejects).
export async function loadCanned(token) {
  if (!token) return null;
  try {
    const res = await fetch('api/canned', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    if (!res.ok) return null;
    const body = await res.json();
    return Array.isArray(body?.canned) ? body.canned : null;
  } catch {
    return null; // offline: the next welcome asks again
  }
}

// CannedMenu is the "/" menu of the reply box. Construct it before the
// box's composer(): its keydown listener must run first, so that Enter
// while the menu is open inserts instead of sending. fill(text) fills in
// a reply's names.
export class CannedMenu {
  constructor(textarea, menu, { fill }) {
    this.textarea = textarea;
    this.menu = menu;
    this.fill = fill;
    this.list = [];
    this.shown = []; // the replies in the menu; empty when it is closed
    this.chosen = 0;
    this.gen = 0; // counts loads and sign-outs: an older answer is stale
    textarea.setAttribute('aria-controls', menu.id);
    textarea.setAttribute('aria-autocomplete', 'list');
    textarea.addEventListener('keydown', (e) => this.onKey(e), true);
    textarea.addEventListener('input', () => this.update());
    textarea.addEventListener('blur', () => this.close());
    // A click on an item must not take the focus from the box first.
    menu.addEventListener('mousedown', (e) => e.preventDefault());
  }

  get open() {
    return this.shown.length > 0;
  }

  // load asks for the list afresh (every welcome).
  async load(token) {
    const gen = ++this.gen;
    const list = await loadCanned(token);
    if (gen !== this.gen || list === null) return;
    this.list = list;
    this.update();
  }

  // clear forgets the list (signed out).
  clear() {
    this.gen++;
    this.list = [];
    this.close();
  }

  update() {
    const found = matchCanned(this.list, this.textarea.value) ?? [];
    const was = this.shown[this.chosen];
    this.shown = found;
    this.chosen = Math.max(0, found.indexOf(was));
    this.draw();
  }

  close() {
    if (!this.open && this.menu.hidden) return;
    this.shown = [];
    this.draw();
  }

  draw() {
    this.menu.replaceChildren(
      ...this.shown.map((c, i) =>
        h(
          'li',
          {
            id: 'canned-opt-' + i,
            role: 'option',
            'aria-selected': i === this.chosen ? 'true' : 'false',
            onclick: () => this.insert(c),
          },
          h('span', { class: 'canned-key', text: '/' + c.shortcut }),
          ' ',
          h('span', { class: 'canned-text', text: previewText(c.text) }),
        ),
      ),
    );
    this.menu.hidden = !this.open;
    if (this.open) {
      this.textarea.setAttribute('aria-activedescendant', 'canned-opt-' + this.chosen);
      this.menu.children[this.chosen]?.scrollIntoView?.({ block: 'nearest' });
    } else {
      this.textarea.removeAttribute('aria-activedescendant');
    }
  }

  onKey(e) {
    if (!this.open || e.isComposing || e.keyCode === 229) return;
    const n = this.shown.length;
    switch (e.key) {
      case 'ArrowDown':
        this.chosen = (this.chosen + 1) % n;
        break;
      case 'ArrowUp':
        this.chosen = (this.chosen - 1 + n) % n;
        break;
      case 'Tab':
      case 'Enter':
        if (e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
        this.insert(this.shown[this.chosen]);
        break;
      case 'Escape':
        this.close();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    if (this.open) this.draw();
  }

  // insert replaces the box's text with the reply's, names filled in, and
  // tells the page it changed (the draft, the byte counter, typing).
  insert(c) {
    if (!c) return;
    this.textarea.value = this.fill(c.text);
    this.textarea.focus();
    const end = this.textarea.value.length;
    this.textarea.setSelectionRange?.(end, end);
    this.textarea.dispatchEvent(new Event('input', { bubbles: true }));
    this.close(); // even if the reply itself reads like a shortcut
  }
}
