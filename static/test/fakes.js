// Fakes for testing kefu-client.js without a browser or a server: a
// WebSocket the test drives by hand, a clock that moves only when told, and
// a Storage in memory.

export class FakeSocket {
  static all = [];

  constructor(url) {
    this.url = url;
    this.sent = [];
    this.readyState = 0;
    this.closedWith = null;
    FakeSocket.all.push(this);
  }

  static last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  // open completes the handshake; the client then says hello.
  open() {
    this.readyState = 1;
    this.onopen?.();
  }

  send(data) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
  }

  // serve delivers frames from the "server".
  serve(...frames) {
    for (const f of frames) this.onmessage?.({ data: JSON.stringify(f) });
  }

  close(code, reason) {
    this.readyState = 3;
    this.closedWith = { code, reason };
  }

  // drop ends the socket from the network's or the server's side.
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  // take returns and forgets what the client sent, without pongs.
  take() {
    const out = this.sent.filter((f) => f.type !== 'pong');
    this.sent = [];
    return out;
  }
}

export class FakeClock {
  constructor() {
    this.t = 1_000_000;
    this.next = 1;
    this.pending = new Map();
  }

  now = () => this.t;

  setTimeout = (fn, ms) => {
    const id = this.next++;
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (id) => {
    this.pending.delete(id);
  };

  // advance moves time forward, running each timer that falls due in turn.
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let due = null;
      for (const [id, p] of this.pending) if (p.at <= end && (!due || p.at < due[1].at)) due = [id, p];
      if (!due) break;
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

export class MemoryStorage {
  constructor() {
    this.items = new Map();
  }

  getItem(k) {
    return this.items.has(k) ? this.items.get(k) : null;
  }

  setItem(k, v) {
    this.items.set(k, String(v));
  }

  removeItem(k) {
    this.items.delete(k);
  }
}
