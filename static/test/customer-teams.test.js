// Unit tests of customer-teams.js: which team the widget starts on, and a
// closed team's next opening worded in the customer's own zone.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

let teams;
let i18n;

before(async () => {
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  i18n = await import('../i18n.js');
  i18n.useDictionary((await import('../i18n/customer.js')).default);
  teams = await import('../customer-teams.js');
});

const sales = { id: 'tm_sales', name: 'Sales', open: true, available: true, online: 2 };
const billing = { id: 'tm_billing', name: 'Billing', open: false, available: false, online: 0, nextOpen: '2026-12-07T01:00:00Z' };

test('chooseTeam: the named team, the only one, or the customer picks', () => {
  assert.equal(teams.chooseTeam({ teams: [sales, billing], team: billing }, 'tm_billing'), billing);
  assert.equal(teams.chooseTeam({ teams: [sales], team: null }, ''), sales);
  assert.equal(teams.chooseTeam({ teams: [sales, billing], team: null }, ''), null);
  assert.equal(teams.chooseTeam({ teams: [sales, billing], team: null }, 'tm_gone'), null, 'an unknown name: the picker');
  assert.equal(teams.chooseTeam(null, 'tm_sales').id, '', 'no answer: the general queue, as before teams');
  assert.equal(teams.chooseTeam({ teams: [], team: null }, '').id, '');
});

test('opensText: the instant in the customer zone, with the zone named', () => {
  // Monday 09:00 in Shanghai is Sunday 20:00 in New York (EST).
  const ny = teams.opensText(billing.nextOpen, 'en', 'America/New_York');
  assert.match(ny, /Sun/);
  assert.match(ny, /20:00/);
  assert.match(ny, /EST|GMT-5/);
  const sh = teams.opensText(billing.nextOpen, 'zh', 'Asia/Shanghai');
  assert.match(sh, /09:00/);
  assert.match(sh, /周一/);
});

test('statusText: open with agents, closed with its opening, nobody online', () => {
  i18n.setLanguage('en');
  assert.equal(teams.statusText(sales), 'Open · 2 online');
  assert.match(teams.statusText(billing, 'America/New_York'), /^Closed, opens Sun,? 20:00 .* \(your time\)$/);
  assert.equal(teams.statusText({ open: true, available: false, online: 0 }), 'Nobody is online right now; you can leave a message');
  i18n.setLanguage('zh');
  assert.equal(teams.statusText(sales), '在线 · 2 位客服');
  i18n.setLanguage('en');
});
