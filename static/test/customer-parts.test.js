// Unit tests of customer-parts.js's words: the wait estimate counting down
// from a queued frame, the time waited, the tab's title, both languages.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

let parts;
let i18n;

before(async () => {
  // i18n.js reads the browser's language and sets the page's lang when it
  // loads; node has neither, so give it the little it reads.
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  i18n = await import('../i18n.js');
  const dict = (await import('../i18n/customer.js')).default;
  i18n.useDictionary(dict);
  parts = await import('../customer-parts.js');
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

test('etaText counts down from the frame', () => {
  inLanguage('en', () => {
    const q = { position: 1, eta: 120, at: 1_000_000 };
    assert.equal(parts.etaText(q, q.at), 'Estimated wait: about 2 min');
    assert.equal(parts.etaText(q, q.at + 50_000), 'Estimated wait: about 1 min');
    assert.equal(parts.etaText(q, q.at + 90_000), 'Estimated wait: less than a minute');
    assert.equal(parts.etaText(q, q.at + 120_000), 'Estimated wait: any moment now');
    assert.equal(parts.etaText(q, q.at + 600_000), 'Estimated wait: any moment now');
    // A new frame re-bases the countdown.
    const next = { position: 1, eta: 180, at: q.at + 600_000 };
    assert.equal(parts.etaText(next, next.at + 1000), 'Estimated wait: about 3 min');
    assert.equal(parts.etaText({ position: 1, eta: 7200, at: 0 }, 0), 'Estimated wait: about 2 h');
  });
});

test('etaText: no agent keeps its wording', () => {
  inLanguage('en', () => {
    assert.equal(parts.etaText({ position: 1, eta: null, at: 0 }, 999_999),
      'No agent is available right now. You keep your place: wait, or come back later.');
  });
});

test('etaText in Chinese reads well', () => {
  inLanguage('zh', () => {
    const q = { position: 1, eta: 120, at: 0 };
    assert.equal(parts.etaText(q, 0), '预计等待 约 2 分钟');
    assert.equal(parts.etaText(q, 90_000), '预计等待 不到 1 分钟');
    assert.equal(parts.etaText(q, 121_000), '预计等待：马上就好');
    assert.equal(parts.waitedText(0, 83_000), '已等待 1:23');
  });
});

test('no "about less than a minute" in either language', () => {
  for (const lang of ['en', 'zh']) {
    inLanguage(lang, () => {
      const s = parts.etaText({ position: 1, eta: 30, at: 0 }, 0);
      assert.doesNotMatch(s, /about less|约 不到/, s);
    });
  }
});

test('waitedText counts up', () => {
  inLanguage('en', () => {
    assert.equal(parts.waitedText(5000, 5000), 'Waiting 0:00');
    assert.equal(parts.waitedText(0, 83_400), 'Waiting 1:23');
    assert.equal(parts.waitedText(0, 3_723_000), 'Waiting 1:02:03');
    assert.equal(parts.waitedText(10_000, 0), 'Waiting 0:00'); // a clock that stepped back
  });
});

test('titleText: replies, then an arrival, then the page', () => {
  inLanguage('en', () => {
    assert.equal(parts.titleText(1, 'Alice'), '(1) New reply');
    assert.equal(parts.titleText(3, ''), '(3) New replies');
    assert.equal(parts.titleText(0, 'Alice'), 'Alice joined');
    assert.equal(parts.titleText(0, ''), 'kefu customer service');
  });
  inLanguage('zh', () => {
    assert.equal(parts.titleText(1, ''), '(1) 新回复');
    assert.equal(parts.titleText(0, 'Alice'), 'Alice 已接入');
    assert.equal(parts.titleText(0, ''), 'kefu 在线客服');
  });
});
