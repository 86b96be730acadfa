// Unit tests of kefu-client.js against a hand-driven socket and clock:
// node --test static/test/ (static/client_test.go runs them in go test).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  KefuClient, savedToken, MAX_IN_FLIGHT, DEAD_AFTER_BEATS, BACKOFF_BASE_MS, BACKOFF_CAP_MS, RETRY_MS, READ_DELAY_MS,
  HISTORY_WAIT_MS,
} from '../kefu-client.js';
import { FakeSocket, FakeClock, MemoryStorage } from './fakes.js';

const ALICE = { id: 'ag_alice', role: 'agent', name: 'Alice' };
const BOB = { id: 'cu_bob', role: 'customer', name: 'Bob' };

// setup returns a started client, its clock, storage and a log of its
// events by type.
function setup(opts = {}) {
  const clock = new FakeClock();
  const storage = opts.storage ?? new MemoryStorage();
  const c = new KefuClient({
    url: 'ws://kefu.test/ws', role: 'customer', name: 'Bob', storage, key: 'k',
    WebSocket: FakeSocket, timers: clock, now: clock.now, random: () => 1, ...opts,
  });
  const events = [];
  for (const type of ['connection', 'welcome', 'conv', 'msg', 'ack', 'failed', 'ended', 'error', 'queued', 'rated']) {
    c.on(type, (e) => events.push({ type, ...e }));
  }
  const of = (type) => events.filter((e) => e.type === type);
  c.start();
  return { c, clock, storage, events, of };
}

// online opens the client's newest socket and welcomes it.
function online(c, you = BOB, extra = {}) {
  const ws = FakeSocket.last();
  ws.open();
  const hello = ws.take()[0];
  ws.serve({ type: 'welcome', v: 1, you, token: you.role === 'customer' ? 'tok-bob' : undefined, heartbeatMs: 1000, state: 'idle', ...extra });
  return { ws, hello };
}

// waitOut lets the reconnect delay the client chose run out.
function waitOut(clock, of) {
  clock.advance(of('connection').at(-1).delay);
}

function msg(conv, seq, from, text, cid = '') {
  return { type: 'msg', conv, seq, from, text, cid, at: '2026-11-26T00:00:00Z' };
}

function conv(id, why, history = [], after = 0) {
  return { type: 'conv', conv: id, why, customer: BOB, agent: ALICE, after, history };
}

test('hello: a new customer names itself; a returning one shows its token and what it has', () => {
  const { c, clock, of } = setup();
  assert.deepEqual(of('connection').map((e) => e.state), ['connecting']);
  const { ws, hello } = online(c);
  assert.deepEqual(hello, { type: 'hello', v: 1, role: 'customer', name: 'Bob' });
  assert.equal(of('connection').at(-1).state, 'online');
  ws.serve(conv('cv_1', 'assigned'), msg('cv_1', 1, ALICE, 'hi'), msg('cv_1', 2, ALICE, 'there'));

  ws.drop(1006);
  assert.equal(of('connection').at(-1).state, 'reconnecting');
  waitOut(clock, of);
  const again = online(c);
  assert.deepEqual(again.hello, { type: 'hello', v: 1, role: 'customer', token: 'tok-bob', resume: { cv_1: 2 } });
});

test('an agent says hello with its login token', () => {
  const { c } = setup({ role: 'agent', token: 'login-token', name: '' });
  const { hello } = online(c, ALICE);
  assert.deepEqual(hello, { type: 'hello', v: 1, role: 'agent', token: 'login-token' });
});

test('each message reaches the page once, in order, whatever the server repeats', () => {
  const { c, clock, of } = setup();
  let { ws } = online(c);
  ws.serve(conv('cv_1', 'assigned', [msg('cv_1', 1, ALICE, 'one')]));
  ws.serve(msg('cv_1', 1, ALICE, 'one'), msg('cv_1', 2, ALICE, 'two'), msg('cv_1', 2, ALICE, 'two'));
  // A second tab's sync repeats what the live messages brought.
  ws.serve(conv('cv_1', 'sync', [msg('cv_1', 2, ALICE, 'two'), msg('cv_1', 3, ALICE, 'three')], 1));
  ws.drop();
  waitOut(clock, of);
  ({ ws } = online(c, BOB, { state: 'chatting' }));
  ws.serve(conv('cv_1', 'sync', [msg('cv_1', 4, ALICE, 'four')], 3), msg('cv_1', 4, ALICE, 'four'));
  assert.deepEqual(of('msg').map((m) => m.text), ['one', 'two', 'three', 'four']);
  assert.deepEqual(of('conv').map((e) => e.fresh), [true, false, false]);
});

test('at most MAX_IN_FLIGHT unacknowledged per conversation; the rest wait their turn', () => {
  const { c } = setup();
  const { ws } = online(c);
  ws.serve(conv('cv_1', 'assigned'), conv('cv_2', 'assigned'));
  const cids = [];
  for (let i = 0; i < MAX_IN_FLIGHT + 4; i++) cids.push(c.send('cv_1', 'm' + i));
  c.send('cv_2', 'other');
  let sent = ws.take();
  assert.equal(sent.filter((f) => f.conv === 'cv_1').length, MAX_IN_FLIGHT);
  assert.equal(sent.filter((f) => f.conv === 'cv_2').length, 1, 'another conversation is not held up');
  assert.deepEqual(sent.filter((f) => f.conv === 'cv_1').map((f) => f.cid), cids.slice(0, MAX_IN_FLIGHT));
  ws.serve({ type: 'ack', conv: 'cv_1', cid: cids[0], seq: 1 });
  sent = ws.take();
  assert.deepEqual(sent.map((f) => f.cid), [cids[MAX_IN_FLIGHT]]);
});

test('after a reconnect every unacknowledged message is sent again with its cid, in order', () => {
  const { c, clock, of } = setup();
  let { ws } = online(c);
  ws.serve(conv('cv_1', 'assigned'));
  const a = c.send('cv_1', 'a');
  const b = c.send('cv_1', 'b');
  const d = c.send('cv_1', 'c');
  ws.take();
  // a is stored and echoed; its ack is lost with the socket.
  ws.serve(msg('cv_1', 1, BOB, 'a', a));
  assert.equal(of('msg')[0].mine, true);
  ws.drop();
  waitOut(clock, of);
  ({ ws } = online(c, BOB, { state: 'chatting' }));
  assert.deepEqual(ws.take().map((f) => [f.type, f.cid, f.text]), [['msg', b, 'b'], ['msg', d, 'c']]);
  assert.deepEqual(c.pending('cv_1').map((m) => m.cid), [b, d]);
  // b was stored before the drop: the sync brings it, the resend's ack repeats.
  ws.serve(conv('cv_1', 'sync', [msg('cv_1', 2, BOB, 'b', b)], 1), { type: 'ack', conv: 'cv_1', cid: b, seq: 2 });
  ws.serve(msg('cv_1', 3, BOB, 'c', d), { type: 'ack', conv: 'cv_1', cid: d, seq: 3 });
  assert.deepEqual(of('msg').map((m) => m.text), ['a', 'b', 'c']);
  assert.deepEqual(c.pending('cv_1'), []);
});

test('the outbox and the token survive a reload', () => {
  const storage = new MemoryStorage();
  const first = setup({ storage });
  const { ws } = online(first.c);
  ws.serve(conv('cv_1', 'assigned'));
  const cid = first.c.send('cv_1', 'sent just before the reload');
  first.c.stop();

  const second = setup({ storage });
  assert.deepEqual(second.c.pending('cv_1'), [{ cid, text: 'sent just before the reload' }]);
  const again = online(second.c, BOB, { state: 'chatting' });
  assert.equal(again.hello.token, 'tok-bob');
  // A reloaded page has shown nothing, so it asks for everything.
  assert.deepEqual(again.hello.resume, { cv_1: 0 });
  assert.deepEqual(again.ws.take().map((f) => f.cid), [cid]);
});

test('ping is answered, and silence past the heartbeats means a dead socket', () => {
  const { c, clock, of } = setup();
  const { ws } = online(c);
  ws.serve({ type: 'ping' });
  assert.deepEqual(ws.sent, [{ type: 'pong' }]);
  clock.advance(1000 * DEAD_AFTER_BEATS - 1);
  assert.equal(FakeSocket.last(), ws, 'still alive just before the deadline');
  ws.serve({ type: 'ping' }); // pushes the deadline back
  clock.advance(1000 * DEAD_AFTER_BEATS - 1);
  assert.equal(of('connection').at(-1).state, 'online');
  clock.advance(1);
  assert.equal(of('connection').at(-1).state, 'reconnecting');
  assert.notEqual(ws.closedWith, null, 'the dead socket is closed');
  waitOut(clock, of);
  assert.notEqual(FakeSocket.last(), ws, 'a new socket');
});

test('reconnect delays double, are capped, and fall in the upper half', () => {
  for (const r of [0, 1]) {
    const { c, clock, of } = setup({ random: () => r });
    for (let i = 0; i < 8; i++) {
      FakeSocket.last().drop();
      const { delay } = of('connection').at(-1);
      const cap = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** i);
      assert.ok(delay >= cap / 2 && delay <= cap, `attempt ${i}: delay ${delay}, want ${cap / 2}..${cap}`);
      clock.advance(delay);
    }
    // A welcome starts the count again.
    online(c);
    FakeSocket.last().drop();
    assert.ok(of('connection').at(-1).delay <= BACKOFF_BASE_MS);
  }
});

test('closes that reconnecting cannot mend stop the client', () => {
  for (const [code, why] of [[4011, 'replaced'], [4003, 'unauthorized'], [4000, 'bad_hello']]) {
    const { c, clock, of } = setup();
    const { ws } = online(c);
    const sockets = FakeSocket.all.length;
    ws.drop(code, 'reason');
    clock.advance(BACKOFF_CAP_MS * 2);
    assert.equal(FakeSocket.all.length, sockets, `${code}: no new socket`);
    assert.deepEqual(of('connection').at(-1), { type: 'connection', state: 'closed', code, reason: 'reason', why });
    if (code === 4003) assert.equal(c.token, '', 'a refused customer token is forgotten');
  }
});

test('a message refused for now is sent again; one refused for good is reported', () => {
  const { c, clock, of } = setup();
  const { ws } = online(c);
  ws.serve(conv('cv_1', 'assigned'));
  const a = c.send('cv_1', 'a');
  const b = c.send('cv_1', ' ');
  ws.take();
  ws.serve({ type: 'error', code: 'not_stored', message: 'the message was not stored; send it again', cid: a });
  ws.serve({ type: 'error', code: 'empty_text', message: 'message is empty', cid: b });
  assert.deepEqual(of('failed').map((f) => [f.cid, f.code]), [[b, 'empty_text']]);
  assert.deepEqual(ws.take(), []);
  clock.advance(RETRY_MS);
  assert.deepEqual(ws.take().map((f) => f.cid), [a]);
  ws.serve({ type: 'error', code: 'forbidden', message: 'only for agents' });
  assert.equal(of('error').length, 1, 'an error about no message goes to the page');
});

test('the end of a conversation fails what still waits for it', () => {
  const { c, of } = setup();
  const { ws } = online(c);
  ws.serve(conv('cv_1', 'assigned'));
  const a = c.send('cv_1', 'too late');
  ws.serve({ type: 'ended', conv: 'cv_1', by: ALICE, reason: 'agent_ended' });
  assert.deepEqual(of('failed').map((f) => [f.cid, f.code]), [[a, 'conversation_ended']]);
  assert.equal(c.isOpen('cv_1'), false);
  assert.equal(of('ended').length, 1);
});

test('read marks are gathered and only move forward; typing is spaced out', () => {
  const { c, clock } = setup();
  const { ws } = online(c);
  ws.serve(conv('cv_1', 'assigned'));
  for (let i = 1; i <= 5; i++) c.read('cv_1', i);
  c.read('cv_1', 3);
  clock.advance(READ_DELAY_MS);
  assert.deepEqual(ws.take(), [{ type: 'read', conv: 'cv_1', seq: 5 }]);
  c.read('cv_1', 4);
  clock.advance(READ_DELAY_MS);
  assert.deepEqual(ws.take(), []);

  c.typing('cv_1');
  c.typing('cv_1');
  clock.advance(500);
  c.typing('cv_1');
  assert.deepEqual(ws.take(), [{ type: 'typing', conv: 'cv_1' }]);
  clock.advance(1000);
  c.typing('cv_1');
  assert.deepEqual(ws.take(), [{ type: 'typing', conv: 'cv_1' }]);
  c.typing('cv_2');
  assert.deepEqual(ws.take(), [], 'not a conversation of ours');
});

test('the other frames reach the page as they are', () => {
  const { c, of } = setup();
  const { ws } = online(c);
  c.request();
  c.rate('cv_1', 5);
  assert.deepEqual(ws.take(), [{ type: 'request' }, { type: 'rate', conv: 'cv_1', rating: 5 }]);
  ws.serve({ type: 'queued', position: 2, eta: null }, { type: 'rated', conv: 'cv_1', rating: 5 });
  assert.deepEqual(of('queued')[0].eta, null);
  assert.equal(of('rated')[0].rating, 5);
});

test('a page names a conversation it still shows, to get it again after its end', () => {
  const storage = new MemoryStorage();
  const first = setup({ storage });
  online(first.c);
  first.c.stop();
  assert.equal(savedToken(storage, 'k'), 'tok-bob');
  assert.equal(savedToken(new MemoryStorage(), 'k'), '');

  const { c, of } = setup({ storage, replay: ['cv_old'] });
  const { ws, hello } = online(c);
  assert.deepEqual(hello.resume, { cv_old: 0 });
  ws.serve(conv('cv_old', 'ended', [msg('cv_old', 1, BOB, 'thanks')]), { type: 'ended', conv: 'cv_old', by: null, reason: 'gone' });
  assert.deepEqual(of('msg').map((m) => m.text), ['thanks']);
  assert.equal(c.isOpen('cv_old'), false);
  assert.deepEqual(JSON.parse(storage.getItem('k')).open, [], 'not named again at the next hello');
});

test('older pages come on request, one at a time, apart from the messages given so far', async () => {
  const { c, clock, of } = setup();
  let { ws } = online(c);
  // The newest page of a long conversation.
  ws.serve({ ...conv('cv_1', 'sync', [msg('cv_1', 41, ALICE, '41'), msg('cv_1', 42, BOB, '42')], 40), more: true });
  assert.equal(of('conv')[0].more, true);
  assert.equal(of('conv')[0].after, 40);

  const page = c.older('cv_1', 41);
  await assert.rejects(c.older('cv_1', 41), /already/);
  assert.deepEqual(ws.take(), [{ type: 'history', conv: 'cv_1', before: 41 }]);
  ws.serve({ type: 'history', conv: 'cv_1', before: 41, history: [msg('cv_1', 39, BOB, '39'), msg('cv_1', 40, ALICE, '40')], more: true });
  const got = await page;
  assert.deepEqual(got.history.map((m) => [m.seq, m.text, m.mine, m.conv]), [[39, '39', true, 'cv_1'], [40, '40', false, 'cv_1']]);
  assert.equal(got.more, true);
  assert.deepEqual(of('msg').map((m) => m.seq), [41, 42], 'older pages are not msg events');

  // Live messages still count from the newest.
  ws.serve(msg('cv_1', 42, BOB, '42'), msg('cv_1', 43, ALICE, '43'));
  assert.deepEqual(of('msg').map((m) => m.seq), [41, 42, 43]);

  // Refused, unanswered, or cut off by a drop: the page may ask again.
  const refused = c.older('cv_1', 39);
  ws.serve({ type: 'error', code: 'unavailable', message: 'the history could not be read; ask again' });
  await assert.rejects(refused, /could not be read/);
  assert.equal(of('error').length, 0, 'the refusal answers the request');
  const unanswered = c.older('cv_1', 39);
  for (let t = 0; t < HISTORY_WAIT_MS; t += 1000) {
    clock.advance(1000);
    ws.serve({ type: 'ping' }); // the socket lives on
  }
  await assert.rejects(unanswered, /no answer/);
  const dropped = c.older('cv_1', 39);
  ws.drop();
  await assert.rejects(dropped, /disconnected/);
  await assert.rejects(c.older('cv_1', 39), /offline/);
  waitOut(clock, of);
  ({ ws } = online(c));
  const again = c.older('cv_1', 39);
  ws.serve({ type: 'history', conv: 'cv_1', before: 39, history: [msg('cv_1', 38, ALICE, '38')], more: false });
  assert.deepEqual((await again).history.map((m) => m.seq), [38]);
});
