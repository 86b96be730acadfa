// The native protocol's client (docs/protocol.md), shared by the customer
// widget, the agent console and the supervisor view. It owns the socket and
// gives the page events, each conversation's messages exactly once and in
// order, across reconnects and reloads:
//
// - It keeps, per conversation, the last seq it has given the page, names
//   it in hello's resume when it reconnects, and drops any seq at or below
//   it (a sync's history may repeat what a live msg already brought).
// - A message the page sends goes into an outbox with a random cid. It is
//   sent at once if fewer than MAX_IN_FLIGHT of its conversation's are
//   unacknowledged, else it waits. After a reconnect every unacknowledged
//   one is sent again with the same cid: the server stores a cid once and
//   answers a resend with the first ack. With a storage, the outbox and the
//   customer's token survive a reload too.
// - It answers ping with pong, takes three heartbeats of silence as a dead
//   socket, and reconnects with capped exponential backoff and jitter.
// - A conv frame carries only the newest page of a long history (its
//   `more` says older messages exist); older(conv, before) asks for the
//   page before a seq, one request at a time.
//
// Events (client.on(type, fn)): connection {state: connecting | online |
// reconnecting | closed, code, reason, delay}, welcome, queued, dequeued,
// conv {conv, why, customer, agent, reads, after, more, fresh}, msg {conv, seq, from,
// text, cid, at, mine}, ack {conv, cid, seq}, failed {conv, cid, code,
// message}, typing, read, agent, requeued, ended, state, agents, rated,
// error {code, message}. Frames keep the protocol's field names.

// MAX_IN_FLIGHT bounds a conversation's unacknowledged messages on the
// wire; the rest wait in the outbox. The server remembers at least the
// newest 16 cids per sender without asking its store.
export const MAX_IN_FLIGHT = 16;
// MAX_OUTBOX bounds everything waiting, so a page cannot fill storage.
export const MAX_OUTBOX = 256;
// DEAD_AFTER_BEATS heartbeats of silence mean the socket is dead; the half
// beat more absorbs timer and network jitter.
export const DEAD_AFTER_BEATS = 3.5;
// DEFAULT_HEARTBEAT_MS is assumed until welcome names the real one.
export const DEFAULT_HEARTBEAT_MS = 5000;
// Reconnect delays double from BACKOFF_BASE_MS up to BACKOFF_CAP_MS; each
// is drawn from its upper half, so clients that dropped together do not
// return together.
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 15000;
// TYPING_EVERY_MS spaces typing frames: the server passes on one a second
// per sender, and the other side hides the mark a few seconds after it.
export const TYPING_EVERY_MS = 1500;
// READ_DELAY_MS gathers read marks, so a burst of lines costs one frame.
export const READ_DELAY_MS = 250;
// RETRY_MS is how long a message refused for now (not stored, rate
// limited) waits before it is sent again.
export const RETRY_MS = 2000;
// HISTORY_WAIT_MS bounds the wait for a page of older messages: a request
// whose frame was dropped, or whose answer went with a dead socket, is
// never answered.
export const HISTORY_WAIT_MS = 10000;
// The client's own frame budget, under the server's 20 a second, 40 at
// once, so a burst of resends is spread out instead of refused.
const SEND_RATE_PER_S = 15;
const SEND_BURST = 30;

// Close codes after which reconnecting cannot help: the page must act.
const FINAL_CLOSES = new Map([
  [4000, 'bad_hello'], // a name the server refuses, or an unsupported version
  [4003, 'unauthorized'], // log in again, or start as a new customer
  [4011, 'replaced'], // the same customer connected from another tab
]);

// Errors that refuse a message for good; any other one with a cid (not
// stored, rate limited, wrong state) is sent again after RETRY_MS.
const RETRYABLE = new Set(['not_stored', 'rate_limited', 'wrong_state']);
// Errors without a cid that answer a history request while one waits.
const HISTORY_REFUSALS = new Set(['unknown_conversation', 'unavailable']);

export class KefuClient {
  // role: 'customer' or 'agent'. token: an agent's login token, or a
  // customer's resume token (a new customer gives name instead). storage
  // (localStorage, sessionStorage or alike) and key keep the token, the
  // outbox and the open conversations across reloads. replay names ended
  // conversations to be given again (a reloaded page that still shows
  // one). WebSocket, timers and random are for tests.
  constructor({
    url, role, token = '', name = '', storage = null, key = 'kefu.client', replay = [],
    WebSocket = globalThis.WebSocket, timers = globalThis, random = Math.random,
    now = () => Date.now(),
  }) {
    this.url = url ?? defaultURL();
    this.role = role;
    this.name = name;
    this.storage = storage;
    this.key = key;
    this.WebSocketImpl = WebSocket;
    this.timers = timers;
    this.random = random;
    this.now = now;

    this.listeners = new Map();
    this.ws = null;
    this.connection = 'idle';
    this.stopped = true;
    this.attempt = 0; // failed connects since the last welcome
    this.heartbeatMs = DEFAULT_HEARTBEAT_MS;
    this.you = null;
    // conv id -> {last: seq given to the page, read: mark sent, readWanted,
    // typedAt}
    this.convs = new Map();
    this.outbox = []; // [{conv, cid, text, file?, sent}], oldest first; file: an upload's reference
    this.tokens = SEND_BURST;
    this.tokensAt = now();
    this.timer = { reconnect: null, dead: null, pump: null, read: null };
    this.paging = null; // the history request waiting: {conv, resolve, reject, timer}

    const saved = this.load();
    this.token = token || saved.token || '';
    for (const id of [...(saved.open || []), ...replay]) if (typeof id === 'string') this.conversation(id);
    for (const m of saved.outbox || []) {
      if (m && typeof m.conv === 'string' && typeof m.cid === 'string' && typeof m.text === 'string') {
        this.outbox.push({ conv: m.conv, cid: m.cid, text: m.text, file: m.file, sent: false });
      }
    }
  }

  // on subscribes fn to events of type and returns the unsubscribe.
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type)?.delete(fn);
  }

  emit(type, detail = {}) {
    for (const fn of this.listeners.get(type) || []) fn(detail);
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    // The browser knows when the network is back before any timer does.
    globalThis.addEventListener?.('online', this.onOnline);
    this.connect();
  }

  onOnline = () => this.reconnectNow();

  // stop closes the socket for good; forget also drops what is saved.
  stop({ forget = false } = {}) {
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    for (const name of Object.keys(this.timer)) this.clear(name);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      ws.close(1000, 'bye');
    }
    this.paged(new Error('stopped'));
    if (forget) {
      this.token = '';
      this.outbox = [];
      this.convs.clear();
      try {
        this.storage?.removeItem(this.key);
      } catch { /* storage refused: nothing was kept either */ }
    }
    this.setConnection('closed', { code: 1000, reason: 'stopped' });
  }

  // reconnectNow skips the wait before the next attempt (the browser says
  // it is back online, or the user asked).
  reconnectNow() {
    if (this.stopped || this.ws) return;
    this.clear('reconnect');
    this.connect();
  }

  // --- what the page can say ---

  // send queues text for conv and returns its cid, or '' when the outbox
  // is full (a failed event says so too). With file (the reference an
  // upload answered) the message shows that file, text being its name.
  send(conv, text, file = undefined) {
    const cid = newCID();
    if (this.outbox.length >= MAX_OUTBOX) {
      this.emit('failed', { conv, cid, text, code: 'outbox_full', message: 'too many messages waiting' });
      return '';
    }
    this.outbox.push({ conv, cid, text, file, sent: false });
    this.save();
    this.pump();
    return cid;
  }

  // pending returns conv's messages not yet acknowledged, oldest first.
  pending(conv) {
    return this.outbox.filter((m) => m.conv === conv).map(({ cid, text }) => ({ cid, text }));
  }

  typing(conv) {
    const c = this.convs.get(conv);
    if (!c || this.now() - c.typedAt < TYPING_EVERY_MS) return;
    if (this.frame({ type: 'typing', conv }, { droppable: true })) c.typedAt = this.now();
  }

  // read marks conv read up to seq; marks are gathered and only ever move
  // forward.
  read(conv, seq) {
    const c = this.convs.get(conv);
    if (!c || seq <= Math.max(c.read, c.readWanted)) return;
    c.readWanted = seq;
    if (this.timer.read === null) {
      this.timer.read = this.timers.setTimeout(() => {
        this.timer.read = null;
        this.flushReads();
      }, READ_DELAY_MS);
    }
  }

  // team (optional) names the team whose queue to join; email is the
  // pre-chat form's, if it asked.
  request(team = '', email = '') {
    const f = { type: 'request' };
    if (team) f.team = team;
    if (email) f.email = email;
    this.frame(f);
  }
  // leave sends the offline form: {team, email, lang, text}; its cid comes
  // back in left, or in an error.
  leave(form) {
    const cid = `f-${Date.now().toString(36)}`;
    this.frame({ type: 'leave', ...form, cid });
    return cid;
  }
  inbox(team, after = 0) { this.frame({ type: 'inbox', team, after }); }
  // note sends an agent's private note for conv and returns its cid, or
  // '' when offline: unlike a message it waits in no outbox, so the page
  // keeps the text. The stored note comes back as a note event.
  note(conv, text) {
    const cid = newCID();
    return this.frame({ type: 'note', conv, text, cid }) ? cid : '';
  }
  take(conv) { this.frame({ type: 'take', conv }); }
  cancel() { this.frame({ type: 'cancel' }); }
  end(conv) { this.frame({ type: 'end', conv }); }
  rate(conv, rating) { this.frame({ type: 'rate', conv, rating }); }
  status(status) { this.frame({ type: 'status', status }); }
  capacity(capacity) { this.frame({ type: 'capacity', capacity }); }
  // note (optional) is for the next agent; the server names the sender.
  transfer(conv, to, note = '') { this.frame(note ? { type: 'transfer', conv, to, note } : { type: 'transfer', conv, to }); }
  agents() { this.frame({ type: 'agents' }); }

  // older asks for the page of conv's messages before seq before (the
  // oldest the page shows), and resolves to {history, more}: messages oldest
  // first, as msg events are, and whether older ones are left. It rejects
  // when offline, refused, unanswered, or while another request waits; the
  // page may ask again later. These messages are older than any msg event,
  // so they are not counted in what the page has been given.
  older(conv, before) {
    if (this.paging) return Promise.reject(new Error('a page is already on its way'));
    if (!this.frame({ type: 'history', conv, before })) return Promise.reject(new Error('offline'));
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(() => this.paged(new Error('no answer')), HISTORY_WAIT_MS);
      this.paging = { conv, resolve, reject, timer };
    });
  }

  // paged settles the waiting history request with err, or with page.
  paged(err, page) {
    const p = this.paging;
    if (!p) return;
    this.paging = null;
    this.timers.clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(page);
  }

  // isOpen says whether conv is one of this client's open conversations.
  isOpen(conv) {
    return this.convs.has(conv);
  }

  // --- the socket ---

  connect() {
    this.setConnection(this.everOnline ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const hello = { type: 'hello', v: 1, role: this.role };
      if (this.token) hello.token = this.token;
      else hello.name = this.name;
      const resume = {};
      for (const [id, c] of this.convs) resume[id] = c.last;
      if (this.convs.size > 0) hello.resume = resume;
      this.raw(hello);
    };
    ws.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return; // the server sends only JSON; anything else is not ours
      }
      if (f && typeof f.type === 'string') this.onFrame(f);
    };
    ws.onclose = (e) => this.closed(ws, e.code, e.reason);
    ws.onerror = () => {}; // a close event follows with the details
    this.armDead();
  }

  // closed handles the end of ws, unless it was already let go.
  closed(ws, code, reason) {
    if (ws !== this.ws) return;
    detach(ws);
    this.ws = null;
    this.clear('dead');
    this.clear('pump');
    for (const m of this.outbox) m.sent = false;
    this.paged(new Error('disconnected'));
    if (this.stopped) return;
    const final = FINAL_CLOSES.get(code);
    if (final) {
      this.stopped = true;
      globalThis.removeEventListener?.('online', this.onOnline);
      if (final === 'unauthorized' && this.role === 'customer') this.token = '';
      this.save();
      this.setConnection('closed', { code, reason, why: final });
      return;
    }
    this.retry(code, reason);
  }

  retry(code = 1006, reason = '') {
    const cap = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = Math.round(cap / 2 + (this.random() * cap) / 2);
    this.attempt = Math.min(this.attempt + 1, 20);
    this.setConnection('reconnecting', { code, reason, delay });
    this.clear('reconnect');
    this.timer.reconnect = this.timers.setTimeout(() => {
      this.timer.reconnect = null;
      if (!this.stopped && !this.ws) this.connect();
    }, delay);
  }

  // armDead restarts the silence timer: every frame from the server, a
  // ping at least, pushes it back.
  armDead() {
    this.clear('dead');
    this.timer.dead = this.timers.setTimeout(() => {
      this.timer.dead = null;
      const ws = this.ws;
      if (!ws) return;
      // A dead connection may take minutes to report its close: let it go
      // now and start again.
      this.closed(ws, 4900, 'no heartbeat');
      try {
        ws.close(4000, 'no heartbeat');
      } catch { /* already closing */ }
    }, this.heartbeatMs * DEAD_AFTER_BEATS);
  }

  setConnection(state, detail = {}) {
    if (state === 'online') this.everOnline = true;
    this.connection = state;
    this.emit('connection', { state, ...detail });
  }

  // raw writes one frame now, if the socket is open.
  raw(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  // frame writes a frame within the client's budget. A droppable one
  // (typing) is skipped when over it; others go anyway: they are rare.
  frame(frame, { droppable = false } = {}) {
    if (!this.takeToken() && droppable) return false;
    return this.raw(frame);
  }

  takeToken() {
    const t = this.now();
    this.tokens = Math.min(SEND_BURST, this.tokens + ((t - this.tokensAt) * SEND_RATE_PER_S) / 1000);
    this.tokensAt = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  // pump sends waiting messages, oldest first, while each conversation
  // has fewer than MAX_IN_FLIGHT on the wire and the budget allows.
  pump() {
    this.clear('pump');
    if (this.connection !== 'online') return;
    const inFlight = new Map();
    for (const m of this.outbox) if (m.sent) inFlight.set(m.conv, (inFlight.get(m.conv) || 0) + 1);
    for (const m of this.outbox) {
      if (m.sent || m.retryAt > this.now()) continue;
      const n = inFlight.get(m.conv) || 0;
      if (n >= MAX_IN_FLIGHT) continue;
      if (!this.takeToken()) {
        this.timer.pump = this.timers.setTimeout(() => this.pump(), 1000 / SEND_RATE_PER_S);
        return;
      }
      const f = m.file ? { type: 'msg', conv: m.conv, file: m.file, cid: m.cid } : { type: 'msg', conv: m.conv, text: m.text, cid: m.cid };
      if (!this.raw(f)) return;
      m.sent = true;
      m.retryAt = 0;
      inFlight.set(m.conv, n + 1);
    }
    // Wake up for the next message whose retry is due; one held back by
    // MAX_IN_FLIGHT waits for an ack instead.
    const now = this.now();
    const next = Math.min(...this.outbox.filter((m) => !m.sent && m.retryAt > now).map((m) => m.retryAt));
    if (Number.isFinite(next)) this.timer.pump = this.timers.setTimeout(() => this.pump(), next - now);
  }

  flushReads() {
    for (const [conv, c] of this.convs) {
      if (c.readWanted > c.read && this.frame({ type: 'read', conv, seq: c.readWanted })) c.read = c.readWanted;
    }
  }

  // --- what the server says ---

  onFrame(f) {
    this.armDead();
    switch (f.type) {
      case 'ping':
        this.raw({ type: 'pong' });
        return;
      case 'pong':
        return;
      case 'welcome':
        this.welcome(f);
        return;
      case 'conv':
        this.opened(f);
        return;
      case 'msg':
        this.message(f);
        return;
      case 'ack':
        this.acked(f.conv, f.cid);
        this.emit('ack', f);
        return;
      case 'ended':
        this.ended(f);
        return;
      case 'history':
        if (this.paging?.conv === f.conv) {
          const history = (f.history || []).map((m) => ({ type: 'msg', conv: f.conv, ...m, mine: this.mine(m) }));
          this.paged(null, { history, more: !!f.more });
        }
        return;
      case 'left':
        // A form's token outlasts a chat's: the answer may come days later.
        if (f.token) {
          this.token = f.token;
          this.save();
        }
        this.emit('left', f);
        break;
      case 'error':
        this.refused(f);
        return;
      default:
        this.emit(f.type, f);
    }
  }

  welcome(f) {
    this.attempt = 0;
    this.you = f.you;
    if (f.heartbeatMs > 0) this.heartbeatMs = f.heartbeatMs;
    if (f.token) this.token = f.token;
    // Read marks not yet sent went with the old socket.
    for (const c of this.convs.values()) c.read = 0;
    this.save();
    this.armDead();
    this.setConnection('online');
    this.emit('welcome', f);
    for (const m of this.outbox) m.sent = false;
    this.pump();
    this.flushReads();
  }

  conversation(id) {
    let c = this.convs.get(id);
    if (!c) {
      c = { last: 0, read: 0, readWanted: 0, typedAt: -Infinity };
      this.convs.set(id, c);
    }
    return c;
  }

  // opened gives the page a conversation's opening (with historyCount, the
  // number of messages its history brings), then each message of its
  // history it has not had.
  opened(f) {
    const fresh = !this.convs.has(f.conv);
    const c = this.conversation(f.conv);
    this.save();
    this.emit('conv', { ...f, history: undefined, historyCount: f.history?.length ?? 0, fresh });
    for (const m of f.history || []) this.deliver(c, { type: 'msg', conv: f.conv, ...m });
  }

  message(f) {
    const c = this.convs.get(f.conv);
    if (c) this.deliver(c, f);
  }

  mine(m) {
    return !!this.you && m.from?.id === this.you.id;
  }

  deliver(c, m) {
    if (!(m.seq > c.last)) return; // had it already
    c.last = m.seq;
    const mine = this.mine(m);
    // Our own message back from the server is stored, as good as its ack.
    if (mine && m.cid) this.acked(m.conv, m.cid);
    this.emit('msg', { ...m, mine });
  }

  acked(conv, cid) {
    const i = this.outbox.findIndex((m) => m.cid === cid && m.conv === conv);
    if (i < 0) return;
    this.outbox.splice(i, 1);
    this.save();
    this.pump();
  }

  ended(f) {
    this.convs.delete(f.conv);
    for (const m of this.outbox.filter((o) => o.conv === f.conv)) {
      this.fail(m, 'conversation_ended', 'the conversation has ended');
    }
    this.save();
    this.emit('ended', f);
  }

  refused(f) {
    if (!f.cid && this.paging && HISTORY_REFUSALS.has(f.code)) {
      this.paged(new Error(f.message));
      return;
    }
    const m = f.cid && this.outbox.find((o) => o.cid === f.cid);
    if (!m) {
      this.emit('error', f);
      return;
    }
    if (RETRYABLE.has(f.code)) {
      m.sent = false;
      m.retryAt = this.now() + RETRY_MS;
      this.pump();
      return;
    }
    this.fail(m, f.code, f.message);
  }

  fail(m, code, message) {
    this.outbox = this.outbox.filter((o) => o !== m);
    this.save();
    this.emit('failed', { conv: m.conv, cid: m.cid, text: m.text, code, message });
    this.pump();
  }

  // --- storage ---

  load() {
    try {
      const s = JSON.parse(this.storage?.getItem(this.key) || '{}');
      return s && typeof s === 'object' ? s : {};
    } catch {
      return {};
    }
  }

  save() {
    if (!this.storage) return;
    const state = {
      token: this.role === 'customer' ? this.token : '',
      open: [...this.convs.keys()],
      outbox: this.outbox.map(({ conv, cid, text, file }) => ({ conv, cid, text, file })),
    };
    try {
      this.storage.setItem(this.key, JSON.stringify(state));
    } catch { /* full or refused: the page still works until a reload */ }
  }

  clear(name) {
    if (this.timer[name] !== null) {
      this.timers.clearTimeout(this.timer[name]);
      this.timer[name] = null;
    }
  }
}

// savedToken is the resume token a client with this storage and key
// would present, '' for none: a page can tell a returning customer.
export function savedToken(storage, key) {
  try {
    return JSON.parse(storage?.getItem(key) || '{}')?.token || '';
  } catch {
    return '';
  }
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}

// defaultURL is /ws on the page's own server.
function defaultURL() {
  const scheme = globalThis.location?.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${globalThis.location?.host}/ws`;
}

// newCID returns a random id, unique across tabs and reloads.
// crypto.randomUUID exists only on https and localhost pages.
export function newCID() {
  const b = new Uint8Array(12);
  globalThis.crypto.getRandomValues(b);
  return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
