// Unit tests of supervisor-teams.js's pure parts: minutes <-> "HH:MM",
// a team's hours <-> the editor's values (one span a day, several kept
// when the day is left alone), closed days, and a table row's figures;
// and the supervisor dictionary's words for them in both languages.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import supervisor from '../i18n/supervisor.js';

let i18n;
let teams;

before(async () => {
  // i18n.js reads the browser's language and sets the page's lang when it
  // loads; node has neither, so give it the little it reads.
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  i18n = await import('../i18n.js');
  i18n.useDictionary(supervisor);
  teams = await import('../supervisor-teams.js');
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

const nineToSix = { opens: 540, closes: 1080 };

test('minutes and "HH:MM" both ways; the day\'s end closes at 00:00', () => {
  const { minutesToTime, timeToMinutes } = teams;
  for (const [m, s] of [[0, '00:00'], [540, '09:00'], [570, '09:30'], [1439, '23:59'], [1440, '00:00']]) {
    assert.equal(minutesToTime(m), s, `minutesToTime(${m})`);
  }
  assert.equal(timeToMinutes('09:30'), 570);
  assert.equal(timeToMinutes('09:30:15'), 570, 'seconds from a time input with a step');
  assert.equal(timeToMinutes('00:00'), 0);
  assert.equal(timeToMinutes('00:00', true), 1440, 'closing at 00:00 is midnight at the end');
  assert.equal(timeToMinutes('12:00', true), 720);
  for (const bad of ['', '9:00', '24:00', '12:60', 'noon', undefined, null]) {
    assert.equal(timeToMinutes(bad), null, `timeToMinutes(${bad})`);
  }
  for (let m = 1; m <= 1440; m++) assert.equal(timeToMinutes(minutesToTime(m), true), m, `closing ${m}`);
  for (let m = 0; m < 1440; m++) assert.equal(timeToMinutes(minutesToTime(m)), m, `opening ${m}`);
});

test('a new team starts always open, weekdays 09:00-18:00 ready, in the browser\'s zone', () => {
  const f = teams.formFromSpec(undefined, 'Asia/Shanghai');
  assert.equal(f.timeZone, 'Asia/Shanghai');
  assert.equal(f.alwaysOpen, true);
  assert.deepEqual(f.days.map((d) => d.on), [false, true, true, true, true, true, false]);
  assert.deepEqual(f.days[1], { on: true, opens: '09:00', closes: '18:00', spans: 0 });
  assert.equal(f.closed, '');
  const r = teams.specFromForm(f, undefined);
  assert.deepEqual(r.spec, {
    timeZone: 'Asia/Shanghai', alwaysOpen: true, closed: [],
    week: [[], [nineToSix], [nineToSix], [nineToSix], [nineToSix], [nineToSix], []],
  });
});

test('a team\'s hours read into the form: one span a day, several shown whole', () => {
  const spec = {
    timeZone: 'Europe/Berlin', alwaysOpen: false,
    week: [null, [nineToSix], [{ opens: 780, closes: 1080 }, { opens: 480, closes: 720 }], [], [{ opens: 1320, closes: 1440 }], [], []],
    closed: ['2026-12-25', '2027-01-01'],
  };
  const f = teams.formFromSpec(spec, 'Asia/Shanghai');
  assert.equal(f.timeZone, 'Europe/Berlin');
  assert.equal(f.alwaysOpen, false);
  assert.deepEqual(f.days[0], { on: false, opens: '09:00', closes: '18:00', spans: 0 });
  assert.deepEqual(f.days[1], { on: true, opens: '09:00', closes: '18:00', spans: 1 });
  assert.deepEqual(f.days[2], { on: true, opens: '08:00', closes: '18:00', spans: 2 });
  assert.deepEqual(f.days[4], { on: true, opens: '22:00', closes: '00:00', spans: 1 });
  assert.equal(f.closed, '2026-12-25, 2027-01-01');

  // Left alone, it saves as it was: the two spans of Tuesday survive.
  const same = teams.specFromForm(f, spec);
  assert.deepEqual(same.spec.week, [[], [nineToSix], spec.week[2], [], [{ opens: 1320, closes: 1440 }], [], []]);
  assert.deepEqual(same.spec.closed, spec.closed);

  // A day changed becomes the one span shown; one turned off, none.
  f.days[2] = { on: true, opens: '10:00', closes: '00:00' };
  f.days[1] = { ...f.days[1], on: false };
  f.days[6] = { on: true, opens: '10:00', closes: '14:30' };
  f.timeZone = 'UTC';
  const changed = teams.specFromForm(f, spec);
  assert.deepEqual(changed.spec.week, [[], [], [{ opens: 600, closes: 1440 }], [], [{ opens: 1320, closes: 1440 }], [], [{ opens: 600, closes: 870 }]]);
  assert.equal(changed.spec.timeZone, 'UTC');
});

test('times that do not make a span are refused, unless the team is always open', () => {
  const f = teams.formFromSpec({ timeZone: 'UTC', alwaysOpen: false, week: [], closed: [] }, 'UTC');
  f.days[3] = { on: true, opens: '18:00', closes: '09:00' };
  assert.deepEqual(teams.specFromForm(f, undefined), { error: 'team.bad.time', day: 3 });
  f.days[3] = { on: true, opens: '', closes: '09:00' };
  assert.deepEqual(teams.specFromForm(f, undefined), { error: 'team.bad.time', day: 3 });
  f.days[3] = { on: false, opens: '', closes: '' };
  assert.deepEqual(teams.specFromForm(f, undefined).spec.week[3], [], 'a day off needs no times');
  f.days[3] = { on: true, opens: '18:00', closes: '09:00' };
  f.alwaysOpen = true;
  assert.deepEqual(teams.specFromForm(f, undefined).spec.week[3], [], 'always open: the unusable day is dropped');
});

test('closed days: commas of either language, sorted, once; a non-date is named', () => {
  assert.deepEqual(teams.parseClosed(''), { closed: [] });
  assert.deepEqual(teams.parseClosed(' 2027-01-01，2026-12-25, 2026-12-25、2026-10-01 '), { closed: ['2026-10-01', '2026-12-25', '2027-01-01'] });
  assert.deepEqual(teams.parseClosed('2026-12-25, 2026-02-30'), { error: 'team.bad.date', value: '2026-02-30' });
  assert.deepEqual(teams.parseClosed('2026/12/25'), { error: 'team.bad.date', value: '2026/12/25' });
  assert.equal(teams.parseClosed('2028-02-29').closed[0], '2028-02-29', 'a leap day');
  const f = teams.formFromSpec(undefined, 'UTC');
  f.closed = 'Christmas';
  assert.deepEqual(teams.specFromForm(f, undefined), { error: 'team.bad.date', value: 'Christmas' });
});

test('a row\'s figures: the general team, members counted, names of those online', () => {
  const names = new Map([['ag_a', 'Ann'], ['ag_b', '小王']]);
  const general = { id: 'tm_general', name: 'General', open: true, archived: false, queued: 0, oldestWaitSeconds: 0,
    agentsOnline: 2, agentsFree: 1, everyone: true, members: [] };
  inLanguage('zh', () => {
    const r = teams.teamRow(general, names, undefined);
    assert.equal(r.name, '综合咨询', 'the default name in the page\'s language');
    assert.equal(r.everyone, true);
    assert.equal(r.members, null);
    assert.equal(r.wait, null, 'nobody waiting: no wait');
    assert.deepEqual([r.online, r.free, r.queued], [2, 1, 0]);
    assert.deepEqual([r.inbox, r.formWait], [0, null], 'no form left: no wait');
    assert.equal(teams.teamRow({ ...general, name: '售前' }, names).name, '售前', 'a renamed general team keeps its name');
  });

  const sales = { id: 'tm_s', name: 'Sales', open: false, archived: false, queued: 3, oldestWaitSeconds: 95.5,
    agentsOnline: 2, agentsFree: 0, everyone: false, members: ['ag_a', 'ag_b', 'ag_gone'] };
  const r = teams.teamRow(sales, names, { id: 'tm_s', visible: false, members: ['ag_a', 'ag_b', 'ag_c', 'ag_d'] });
  assert.equal(r.name, 'Sales');
  assert.equal(r.open, false);
  assert.equal(r.wait, 95.5);
  assert.deepEqual([teams.teamRow({ ...sales, inbox: 2, oldestFormSeconds: 7200 }, names).inbox,
    teams.teamRow({ ...sales, inbox: 2, oldestFormSeconds: 7200 }, names).formWait], [2, 7200], 'forms left, and the oldest one\'s wait');
  assert.equal(r.members, 4, 'every member, online or not, once the settings are read');
  assert.deepEqual(r.memberNames, ['Ann', '小王'], 'an id with no name is left out');
  assert.equal(r.hidden, true);
  assert.equal(teams.teamRow(sales, names, undefined).members, 3, 'before the settings: those online');

  const draining = teams.teamRow({ ...sales, archived: true, members: null, queued: null }, names);
  assert.equal(draining.archived, true);
  assert.deepEqual([draining.queued, draining.wait, draining.members, draining.memberNames], [0, null, 0, []]);
});

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('supervisor: zh and en have the same keys and placeholders; zh has no English', () => {
  assert.deepEqual(Object.keys(supervisor.zh).sort(), Object.keys(supervisor.en).sort());
  for (const key of Object.keys(supervisor.en)) {
    assert.deepEqual(placeholders(supervisor.zh[key]), placeholders(supervisor.en[key]), key);
    const latin = supervisor.zh[key].replace(/\{\w+\}/g, '').replace(/kefu/g, '');
    assert.doesNotMatch(latin, /[A-Za-z]/, `zh ${key}: ${supervisor.zh[key]}`);
  }
  for (const code of ['name_taken', 'conflict', 'too_many_teams', 'bad_value', 'not_found', 'unauthorized', 'network', 'unknown']) {
    assert.match(supervisor.zh['err.' + code], /\p{Script=Han}/u, code);
  }
});
