// Every page's dictionary has the same keys in both languages, and the
// same {placeholders} in each pair, so no text falls back or loses a name.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import customer from '../i18n/customer.js';
import agent from '../i18n/agent.js';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

for (const [page, dict] of Object.entries({ customer, agent })) {
  test(`${page}: zh and en have the same keys and placeholders`, () => {
    assert.deepEqual(Object.keys(dict.zh).sort(), Object.keys(dict.en).sort());
    for (const key of Object.keys(dict.en)) {
      assert.deepEqual(placeholders(dict.zh[key]), placeholders(dict.en[key]), key);
    }
  });
}
