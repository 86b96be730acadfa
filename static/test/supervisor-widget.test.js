// Unit tests of supervisor-widget.js's pure parts: a GET or PUT
// /api/widget answer -> the form's values -> the PUT's body, a refusal's
// words; and the supervisor dictionary's words for the form in both
// languages.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import supervisor from '../i18n/supervisor.js';

let i18n;
let widget;

before(async () => {
  // i18n.js reads the browser's language and sets the page's lang when it
  // loads; node has neither, so give it the little it reads.
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  i18n = await import('../i18n.js');
  i18n.useDictionary(supervisor);
  widget = await import('../supervisor-widget.js');
});

function inLanguage(lang, fn) {
  const was = i18n.language();
  i18n.setLanguage(lang);
  try {
    fn();
  } finally {
    i18n.setLanguage(was);
  }
}

test('a GET /api/widget answer reads into the form; its teams are ignored', () => {
  const answer = {
    picker: false, preChat: { email: 'required', question: true },
    teams: [{ id: 'tm_general', name: 'General' }], team: null,
  };
  assert.deepEqual(widget.formFromWidget(answer), { picker: false, email: 'required', question: true });
  assert.deepEqual(widget.formFromWidget({ picker: true, preChat: { email: 'optional', question: false } }),
    { picker: true, email: 'optional', question: false });
  assert.deepEqual(widget.formFromWidget({ picker: true, preChat: { email: 'off', question: false } }),
    { picker: true, email: 'off', question: false });
});

test('what an answer lacks or spells wrong reads as the server\'s defaults', () => {
  const defaults = { picker: true, email: 'off', question: false };
  for (const body of [undefined, null, {}, { preChat: null }, 'nonsense']) {
    assert.deepEqual(widget.formFromWidget(body), defaults, JSON.stringify(body));
  }
  assert.deepEqual(widget.formFromWidget({ picker: 'no', preChat: { email: 'Required', question: 'yes' } }), defaults,
    'not a bool, not one of the three spellings');
  assert.equal(widget.formFromWidget({ picker: false }).picker, false, 'no preChat: the picker still read');
});

test('the form becomes the PUT body, and the PUT\'s answer reads back the same', () => {
  for (const picker of [true, false]) {
    for (const email of widget.EMAIL_ASKS) {
      for (const question of [true, false]) {
        const form = { picker, email, question };
        const body = widget.bodyFromForm(form);
        assert.deepEqual(body, { picker, email, question });
        assert.deepEqual(Object.keys(body), ['picker', 'email', 'question']);
        // PUT answers {"picker","preChat":{...}}, as GET has them.
        const answer = { picker: body.picker, preChat: { email: body.email, question: body.question } };
        assert.deepEqual(widget.formFromWidget(answer), form);
      }
    }
  }
  assert.deepEqual(widget.EMAIL_ASKS, ['off', 'optional', 'required']);
  assert.deepEqual(widget.bodyFromForm({ picker: 1, email: '', question: undefined }),
    { picker: true, email: 'off', question: false }, 'an empty select asks for no email');
});

test('a refusal\'s words: the widget\'s own, then the page\'s, never the code', () => {
  inLanguage('zh', () => {
    assert.equal(widget.widgetError('bad_value'), supervisor.zh['widget.err.bad_value']);
    assert.equal(widget.widgetError('forbidden'), supervisor.zh['widget.err.forbidden']);
    assert.equal(widget.widgetError('unauthorized'), supervisor.zh['widget.err.unauthorized']);
    assert.equal(widget.widgetError('network'), supervisor.zh['err.network']);
    assert.equal(widget.widgetError('unavailable'), supervisor.zh['err.unavailable']);
    assert.equal(widget.widgetError('from_the_future'), supervisor.zh['err.unknown']);
    assert.equal(widget.widgetError(undefined), supervisor.zh['err.unknown']);
  });
  inLanguage('en', () => {
    assert.equal(widget.widgetError('bad_value'), supervisor.en['widget.err.bad_value']);
    assert.doesNotMatch(widget.widgetError('bad_value'), /team|hours|members/i, 'not the teams editor\'s words');
    assert.equal(widget.widgetError('internal'), supervisor.en['err.internal']);
  });
});

test('supervisor: the widget form has its words in both languages; zh has no English', () => {
  const keys = ['title', 'lead', 'picker', 'pickerHint', 'email', 'email.off', 'email.optional', 'email.required',
    'question', 'save', 'loading', 'loadFailed', 'saving', 'saved', 'err.bad_value', 'err.forbidden', 'err.unauthorized'];
  for (const k of keys) {
    for (const lang of ['zh', 'en']) {
      const text = supervisor[lang]['widget.' + k];
      assert.ok(typeof text === 'string' && text !== '', `${lang} widget.${k} missing`);
    }
    assert.match(supervisor.zh['widget.' + k], /\p{Script=Han}/u, `zh widget.${k}`);
    assert.doesNotMatch(supervisor.zh['widget.' + k].replace(/\{\w+\}/g, ''), /[A-Za-z]/, `zh widget.${k}`);
  }
  assert.equal(supervisor.zh['widget.saved'], '已保存');
  assert.equal(supervisor.en['widget.saved'], 'Saved');
  assert.equal(supervisor.zh['widget.email.off'], '不询问');
  assert.equal(supervisor.zh['widget.email.optional'], '选填');
  assert.equal(supervisor.zh['widget.email.required'], '必填');
});

test('supervisor.html: the form\'s controls, their ids, and Chinese words from the dictionary', () => {
  const html = readFileSync(new URL('../supervisor.html', import.meta.url), 'utf8');
  for (const id of ['widget-form', 'widget-picker', 'widget-email', 'widget-question', 'widget-save', 'widget-status']) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
  for (const value of widget.EMAIL_ASKS) assert.match(html, new RegExp(`<option value="${value}" data-i18n="widget\\.email\\.${value}">`), value);
  // Every data-i18n the page carries is in the dictionary, and the text
  // the page starts with is the Chinese one.
  let checked = 0;
  for (const m of html.matchAll(/data-i18n="([^"]+)"[^>]*>([^<]*)</g)) {
    const [, key, text] = m;
    if (!key.startsWith('widget.')) continue;
    assert.equal(text, supervisor.zh[key], key);
    checked++;
  }
  assert.ok(checked >= 9, `only ${checked} of the form's words found`);
  assert.doesNotMatch(html, /<style|style="|<script(?![^>]*\bsrc=)/, 'no inline style or script (CSP)');
});
