// Unit tests of byte-counter.js: bytes of UTF-8 as the server counts
// them, the count shown from 80% of the limit, Send off and over() true
// past it, the limit from welcome, and a refused text given back only to
// an empty box.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

let ByteCounter;
let utf8Bytes;

// fakeElement is the little of a DOM element the counter touches.
function fakeElement() {
  const attrs = new Map();
  const classes = new Set();
  return {
    value: '', textContent: '', hidden: false, disabled: false, listeners: {},
    addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); },
    fire(type) { for (const fn of this.listeners[type] ?? []) fn(); },
    setAttribute(k, v) { attrs.set(k, v); },
    removeAttribute(k) { attrs.delete(k); },
    getAttribute(k) { return attrs.get(k) ?? null; },
    classList: { toggle(c, on) { if (on) classes.add(c); else classes.delete(c); }, contains: (c) => classes.has(c) },
  };
}

before(async () => {
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  const i18n = await import('../i18n.js');
  i18n.useDictionary((await import('../i18n/customer.js')).default);
  i18n.setLanguage('en');
  ({ ByteCounter, utf8Bytes } = await import('../byte-counter.js'));
});

function setup(limit) {
  const box = fakeElement();
  const send = fakeElement();
  const out = fakeElement();
  const c = new ByteCounter(box, send, out);
  c.setLimit(limit);
  const type = (text) => {
    box.value = text;
    box.fire('input');
  };
  return { box, send, out, c, type };
}

test('utf8Bytes counts as the server does', () => {
  assert.equal(utf8Bytes('abc'), 3);
  assert.equal(utf8Bytes('长'), 3);
  assert.equal(utf8Bytes('é'), 2);
  assert.equal(utf8Bytes('😀'), 4);
});

test('OK: hidden below 80%, shown from it, Send on', () => {
  const { send, out, c, type } = setup(100);
  type('x'.repeat(79));
  assert.equal(out.hidden, true);
  type('x'.repeat(80));
  assert.equal(out.hidden, false);
  assert.equal(out.textContent, '80 / 100 bytes used (a Chinese character takes 3)');
  type('长'.repeat(33)); // 99 bytes, 33 characters
  assert.equal(out.textContent, '99 / 100 bytes used (a Chinese character takes 3)');
  assert.equal(send.disabled, false);
  assert.equal(c.over(), false);
});

test('ErrOver: the reason shows, Send off, over() true; back under, all clear', () => {
  const { box, send, out, c, type } = setup(8192);
  type('长'.repeat(3000));
  assert.equal(c.over(), true);
  assert.equal(send.disabled, true);
  assert.equal(box.getAttribute('aria-invalid'), 'true');
  assert.ok(out.classList.contains('over'));
  assert.equal(out.textContent, 'Too long to send: 808 bytes over the limit of 8,192 (about 2,730 Chinese characters). Shorten it to send; your text stays in the box.');
  type('');
  assert.equal(c.over(), false);
  assert.equal(send.disabled, false);
  assert.equal(out.hidden, true);
  assert.equal(box.getAttribute('aria-invalid'), null);
});

test('the limit comes from welcome; a missing one keeps 8192', () => {
  const { c, type } = setup(undefined);
  assert.equal(c.limit, 8192);
  c.setLimit(10);
  type('0123456789x');
  assert.equal(c.over(), true);
});

test('restore: only into an empty box', () => {
  const { box, c, type } = setup(100);
  assert.equal(c.restore('refused text'), true);
  assert.equal(box.value, 'refused text');
  type('newer');
  assert.equal(c.restore('refused text'), false);
  assert.equal(box.value, 'newer');
});
