// Unit tests of customer-queue.js: a re-queue's notice is worded from the
// position that follows it, a move back is said once with its reason, and
// both languages say the same number.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

let QueueNotices;
let i18n;

before(async () => {
  // i18n.js reads the browser's language and sets the page's lang when it
  // loads; node has neither, so give it the little it reads.
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  i18n = await import('../i18n.js');
  i18n.useDictionary((await import('../i18n/customer.js')).default);
  ({ QueueNotices } = await import('../customer-queue.js'));
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

test('a re-queue is told with the position that follows it, once', () => {
  inLanguage('en', () => {
    const n = new QueueNotices();
    n.requeued({ type: 'requeued', conv: 'cv_1', reason: 'agent_lost' });
    assert.equal(n.queued({ position: 4, eta: null }), 'Your agent had to leave. You are number 4 in line; we are finding you another agent.');
    assert.equal(n.queued({ position: 3, eta: null }), '', 'moving up needs no notice');
    n.requeued({ reason: 'requeued' });
    assert.equal(n.queued({ position: 1, eta: 60 }), 'Your agent passed your chat back to the queue. You are number 1 in line; we are finding you another agent.');
  });
});

test('a re-queue taken at once says why the agent changed', () => {
  inLanguage('en', () => {
    const n = new QueueNotices();
    assert.equal(n.assigned(), '');
    n.requeued({ reason: 'agent_lost' });
    assert.equal(n.assigned(), 'Your agent had to leave; another agent is taking over.');
    assert.equal(n.assigned(), '');
    n.requeued({ reason: 'agent_lost' });
    n.ended();
    assert.equal(n.queued({ position: 2 }), '', 'an ended conversation has nothing left to say');
  });
});

test('a position that moved back says why', () => {
  const n = new QueueNotices();
  inLanguage('en', () => {
    assert.equal(n.queued({ position: 9, eta: null, reason: 'requeued_ahead' }), 'Customers whose chat was interrupted are being served first; you are now number 9 in line.');
    assert.equal(n.queued({ position: 2, reason: 'returned_ahead' }), 'Customers who were ahead of you reconnected and kept their places; you are now number 2 in line.');
    assert.equal(n.queued({ position: 3, reason: 'something_new' }), 'Customers whose chat was interrupted are being served first; you are now number 3 in line.');
  });
  inLanguage('zh', () => {
    assert.equal(n.queued({ position: 9, reason: 'requeued_ahead' }), '对话被中断的顾客正在优先接入，您现在排在第 9 位。');
    n.requeued({ reason: 'agent_lost' });
    assert.equal(n.queued({ position: 4 }), '您的客服有事离开了。您现在排在第 4 位，我们正在为您安排其他客服。');
  });
});
