// Every error code the server can send (the ErrCode constants in
// ../actors/*.go, read from the Go source so that a new code cannot be
// missed) and every one the client makes itself has its words in the
// widget's and the console's dictionaries, in Chinese and in English; and
// errorText never shows a code or the server's English.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

import customer from '../i18n/customer.js';
import agent from '../i18n/agent.js';

// The codes kefu-client.js and the pages make up: a full outbox, a refused
// hello's close, a failed login fetch, and the fallback.
const CLIENT_CODES = ['outbox_full', 'bad_hello', 'network', 'unknown'];

function serverCodes() {
  const dir = new URL('../../actors/', import.meta.url);
  const codes = new Set();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go')) continue;
    const src = readFileSync(new URL(file, dir), 'utf8');
    for (const m of src.matchAll(/\bErrCode\w*\s*=\s*"([a-z_]+)"/g)) codes.add(m[1]);
  }
  return [...codes].sort();
}

test('the server has error codes to check', () => {
  // A parse that found nothing would pass every test below.
  assert.ok(serverCodes().length >= 19, `found only ${serverCodes()}`);
});

for (const [page, dict] of Object.entries({ customer, agent })) {
  test(`${page}: every error code has zh and en text`, () => {
    for (const code of [...serverCodes(), ...CLIENT_CODES]) {
      for (const lang of ['zh', 'en']) {
        const text = dict[lang]['err.' + code];
        assert.ok(typeof text === 'string' && text !== '', `${lang} err.${code} missing`);
        if (lang === 'zh') assert.match(text, /\p{Script=Han}/u, `zh err.${code} is not Chinese: ${text}`);
      }
    }
  });
}

let i18n;
let errorText;

before(async () => {
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  i18n = await import('../i18n.js');
  ({ errorText } = await import('../error-text.js'));
});

test('errorText: a code known or not, in the page language', () => {
  i18n.useDictionary(customer);
  i18n.setLanguage('zh');
  assert.equal(errorText({ code: 'text_too_long', message: 'message is too long' }), customer.zh['err.text_too_long']);
  assert.equal(errorText('unauthorized'), customer.zh['err.unauthorized']);
  assert.equal(errorText({ code: 'from_the_future', message: 'new thing' }), customer.zh['err.unknown']);
  assert.equal(errorText(undefined), customer.zh['err.unknown']);
  i18n.setLanguage('en');
  assert.equal(errorText({ code: 'from_the_future' }), customer.en['err.unknown']);
});
