// Unit tests of supervisor-scope.js: a point as one team's tiles read it,
// and the choices offered.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import supervisor from '../i18n/supervisor.js';

let scope;

before(async () => {
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  const i18n = await import('../i18n.js');
  i18n.useDictionary(supervisor);
  i18n.setLanguage('en');
  scope = await import('../supervisor-scope.js');
});

const point = {
  at: '2026-12-03T10:00:00Z', queued: 5, oldestWaitSeconds: 90, agentsOnline: 4, agentsFree: 1, serving: 7,
  teams: [
    { id: 'tm_a', queued: 3, oldestWaitSeconds: 90, agentsOnline: 2, agentsFree: 0, inbox: 1 },
    { id: 'tm_b', queued: 2, oldestWaitSeconds: 20, agentsOnline: 3, agentsFree: 1, inbox: 0 },
  ],
};

test('scope: the desk is the point itself; a team is its share, the rest the desk\'s', () => {
  assert.equal(scope.scoped(point, scope.DESK), point);
  const b = scope.scoped(point, 'tm_b');
  assert.deepEqual([b.queued, b.oldestWaitSeconds, b.agentsOnline, b.agentsFree], [2, 20, 3, 1]);
  assert.equal(b.serving, 7, 'conversations stay the desk\'s');
  assert.equal(b.at, point.at);
});

test('scope: a point without the team leaves a gap, not a zero', () => {
  for (const p of [scope.scoped(point, 'tm_new'), scope.scoped({ at: point.at, queued: 1 }, 'tm_a')]) {
    assert.deepEqual([p.queued, p.oldestWaitSeconds, p.agentsOnline, p.agentsFree], [undefined, undefined, undefined, undefined]);
  }
});

test('scope: the desk and each live team to choose from; nothing with one team', () => {
  const name = (x) => x.name.toUpperCase();
  const teams = [{ id: 'tm_a', name: 'a' }, { id: 'tm_old', name: 'old', archived: true }, { id: 'tm_b', name: 'b' }];
  assert.deepEqual(scope.scopeChoices(teams, name), [
    { id: scope.DESK, label: 'All teams' }, { id: 'tm_a', label: 'A' }, { id: 'tm_b', label: 'B' },
  ]);
  assert.deepEqual(scope.scopeChoices([teams[0], teams[1]], name), [], 'one live team: no choice');
  assert.deepEqual(scope.scopeChoices(undefined, name), []);
});
