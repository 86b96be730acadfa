// Unit tests of agent-inbox.js's lists: only the agent's teams have an
// inbox, items are oldest first however they came, inboxed and unboxed
// keep the count, a new socket's first page replaces what the old one
// showed, and ages are worded alike in both languages.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

let InboxState;
let ageText;
let teamName;
let i18n;

before(async () => {
  // i18n.js reads the browser's language and sets the page's lang when it
  // loads; node has neither, so give it the little it reads.
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  i18n = await import('../i18n.js');
  i18n.useDictionary((await import('../i18n/agent.js')).default);
  ({ InboxState, ageText, teamName } = await import('../agent-inbox.js'));
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

const TEAMS = [
  { id: 'tm_general', name: 'General', member: true, open: true },
  { id: 'tm_sales', name: 'Sales', member: false, open: true },
  { id: 'tm_billing', name: '账务', member: true, open: false },
];

function item(conv, ticket, name = conv) {
  return { conv, customer: { id: 'cu_' + conv, role: 'customer', name }, preview: 'hi', ticket, at: new Date(ticket * 1000).toISOString() };
}

const convs = (s, team) => s.items(team).map((i) => i.conv);

test('only the teams the agent is in get an inbox, each asked once', () => {
  const s = new InboxState();
  assert.deepEqual(s.setTeams(TEAMS), ['tm_general', 'tm_billing']);
  s.asked('tm_general');
  s.asked('tm_billing');
  assert.deepEqual(s.setTeams(TEAMS), [], 'asked already');
  assert.equal(s.page({ type: 'inbox', team: 'tm_sales', items: [item('cv_x', 1)] }), null);
  assert.equal(s.count('tm_sales'), 0, 'not a member: no list');
  assert.deepEqual(s.setTeams(TEAMS.filter((tm) => tm.id !== 'tm_billing')), []);
  assert.deepEqual(s.teams.map((tm) => tm.id), ['tm_general'], 'a team left is forgotten');
  s.reset();
  assert.deepEqual(s.setTeams(TEAMS), ['tm_general', 'tm_billing'], 'a new socket asks for every one again');
});

test('items are oldest first and counted; inboxed adds, unboxed removes', () => {
  const s = new InboxState();
  s.setTeams(TEAMS);
  assert.equal(s.page({ team: 'tm_general', items: [item('cv_b', 7), item('cv_a', 3)], more: false }), null);
  assert.deepEqual(convs(s, 'tm_general'), ['cv_a', 'cv_b']);
  assert.equal(s.added({ type: 'inboxed', team: 'tm_general', item: item('cv_c', 5) }), true);
  assert.equal(s.added({ type: 'inboxed', team: 'tm_general', item: item('cv_c', 5) }), true);
  assert.deepEqual(convs(s, 'tm_general'), ['cv_a', 'cv_c', 'cv_b'], 'by ticket, once each');
  assert.equal(s.count('tm_general'), 3);
  assert.equal(s.removed({ type: 'unboxed', team: 'tm_general', conv: 'cv_a', by: { name: 'Bea' } }), true);
  assert.equal(s.removed({ type: 'unboxed', team: 'tm_general', conv: 'cv_a' }), false, 'gone already');
  assert.equal(s.added({ team: 'tm_sales', item: item('cv_s', 1) }), false, 'not a member');
  assert.equal(s.added({ team: 'tm_general', item: { preview: 'no conv' } }), false);
  assert.deepEqual(convs(s, 'tm_general'), ['cv_c', 'cv_b']);
  assert.equal(s.count('tm_billing'), 0);
});

test('taking a form drops it from every list', () => {
  const s = new InboxState();
  s.setTeams(TEAMS);
  s.page({ team: 'tm_general', items: [item('cv_a', 1), item('cv_b', 2)] });
  s.page({ team: 'tm_billing', items: [item('cv_c', 3)] });
  assert.equal(s.taken('cv_b'), true);
  assert.equal(s.taken('cv_b'), false);
  assert.deepEqual(convs(s, 'tm_general'), ['cv_a']);
  assert.equal(s.count('tm_billing'), 1);
});

test('a page with more asks after its newest ticket, and the pages add up', () => {
  const s = new InboxState();
  s.setTeams(TEAMS);
  assert.equal(s.page({ team: 'tm_general', items: [item('cv_a', 1), item('cv_b', 9)], more: true }), 9);
  assert.equal(s.more('tm_general'), true);
  assert.equal(s.page({ team: 'tm_general', items: [item('cv_c', 12)], more: false }), null);
  assert.equal(s.more('tm_general'), false);
  assert.deepEqual(convs(s, 'tm_general'), ['cv_a', 'cv_b', 'cv_c']);
});

test("a new socket's first page replaces the old list, keeping what came since", () => {
  const s = new InboxState();
  s.setTeams(TEAMS);
  s.page({ team: 'tm_general', items: [item('cv_old', 1), item('cv_kept', 2)] });
  s.reset();
  assert.equal(s.count('tm_general'), 2, 'shown until the page comes');
  s.added({ team: 'tm_general', item: item('cv_new', 8) });
  s.page({ team: 'tm_general', items: [item('cv_kept', 2)] });
  assert.deepEqual(convs(s, 'tm_general'), ['cv_kept', 'cv_new'], 'cv_old was taken while the socket was down');
  s.page({ team: 'tm_general', items: [item('cv_later', 9)] });
  assert.deepEqual(convs(s, 'tm_general'), ['cv_kept', 'cv_new', 'cv_later'], 'later pages add');
});

test('ages in minutes, hours and days, in both languages', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  const ago = (ms) => new Date(now - ms).toISOString();
  const cases = [
    [10 * 1000, 'just now', '刚刚'],
    [-60 * 1000, 'just now', '刚刚'],
    [60 * 1000, '1 min ago', '1 分钟前'],
    [59 * 60 * 1000, '59 min ago', '59 分钟前'],
    [3 * 3600 * 1000 + 5, '3 h ago', '3 小时前'],
    [50 * 3600 * 1000, '2 d ago', '2 天前'],
  ];
  for (const [ms, en, zh] of cases) {
    inLanguage('en', () => assert.equal(ageText(ago(ms), now), en));
    inLanguage('zh', () => assert.equal(ageText(ago(ms), now), zh));
  }
  inLanguage('en', () => assert.equal(ageText('not a time', now), 'just now'));
});

test('the general team is named in the page language; others as stored', () => {
  inLanguage('zh', () => {
    assert.equal(teamName(TEAMS[0]), '综合');
    assert.equal(teamName(TEAMS[1]), 'Sales');
  });
  inLanguage('en', () => assert.equal(teamName(TEAMS[0]), 'General'));
});
