// Unit tests of agent-canned.js's logic: which saved replies the "/" menu
// offers for what was typed, how the names are filled in, and how a
// reply's text is cut for the menu.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

let matchCanned;
let fillCanned;
let previewText;
let MENU_MAX;

before(async () => {
  // ui.js loads i18n.js, which reads the browser's language and sets the
  // page's lang when it loads; node has neither, so give it the little it
  // reads.
  globalThis.navigator ??= { languages: ['en'] };
  globalThis.document ??= { documentElement: {} };
  ({ matchCanned, fillCanned, previewText, MENU_MAX } = await import('../agent-canned.js'));
});

function reply(shortcut, text = 'text of ' + shortcut, shared = false) {
  return { id: 'cn_' + shortcut, shortcut, text, shared, version: 1, createdAt: '2024-01-01T00:00:00Z' };
}

const LIST = [reply('hello'), reply('Help'), reply('refund'), reply('refund-late'), reply('thanks', 'Thanks!', true)];
const shortcuts = (r) => r.map((c) => c.shortcut);

test('a "/" and the start of a shortcut offers the matching replies, in any case', () => {
  assert.deepEqual(shortcuts(matchCanned(LIST, '/')), ['hello', 'Help', 'refund', 'refund-late', 'thanks'], 'all of them');
  assert.deepEqual(shortcuts(matchCanned(LIST, '/he')), ['hello', 'Help']);
  assert.deepEqual(shortcuts(matchCanned(LIST, '/HEL')), ['hello', 'Help']);
  assert.deepEqual(shortcuts(matchCanned(LIST, '/refund')), ['refund', 'refund-late']);
  assert.deepEqual(matchCanned(LIST, '/nope'), [], 'nothing matches: an empty menu');
});

test('no menu unless a shortcut is being typed', () => {
  assert.equal(matchCanned(LIST, ''), null);
  assert.equal(matchCanned(LIST, 'hello'), null, 'no leading /');
  assert.equal(matchCanned(LIST, ' /hello'), null);
  assert.equal(matchCanned(LIST, '/hello '), null, 'a space ends the shortcut');
  assert.equal(matchCanned(LIST, '/he\nllo'), null);
  assert.equal(matchCanned(LIST, undefined), null);
});

test('at most MENU_MAX replies; bad entries and lists are skipped', () => {
  const many = Array.from({ length: 20 }, (_, i) => reply('a' + i));
  assert.equal(MENU_MAX, 8);
  assert.equal(matchCanned(many, '/a').length, MENU_MAX);
  assert.deepEqual(shortcuts(matchCanned(many, '/a', 3)), ['a0', 'a1', 'a2'], 'the first ones, in the list order');
  assert.deepEqual(shortcuts(matchCanned([null, { shortcut: 'x' }, { text: 'y' }, reply('x')], '/x')), ['x']);
  assert.deepEqual(matchCanned(null, '/x'), []);
});

test('{customer} and {agent} are filled in, every time they appear', () => {
  assert.equal(fillCanned('Hello {customer}, {agent} here.', { customer: 'Ann', agent: 'Alice' }), 'Hello Ann, Alice here.');
  assert.equal(fillCanned('{customer} {customer} {agent}{agent}', { customer: '安', agent: 'B' }), '安 安 BB');
  assert.equal(fillCanned('Hi {customer}', {}), 'Hi ', 'a name not known is left empty');
  assert.equal(fillCanned('{other} {Customer} {', { customer: 'Ann' }), '{other} {Customer} {', 'other braces stay');
  assert.equal(fillCanned('Hi {customer}', { customer: '$& {agent}', agent: 'X' }), 'Hi $& {agent}', 'a name is text, not a pattern');
  assert.equal(fillCanned(undefined), '');
});

test('the menu shows the start of a text, on one line, whole characters', () => {
  assert.equal(previewText('short'), 'short');
  assert.equal(previewText('  two\n lines  '), 'two lines');
  assert.equal(previewText('abcdefghij', 4), 'abcd…');
  assert.equal(previewText('😀😀😀', 2), '😀😀…');
  assert.equal(previewText(null), '');
});
