// Drafts keeps what the agent has typed but not sent, one per
// conversation, so a half-written reply stays with its customer when the
// agent switches to another and comes back when they switch back. They
// are kept in sessionStorage too, like the login: a reload keeps them,
// closing the tab or signing out forgets them.

const DRAFTS_KEY = 'kefu.agent.drafts';

export class Drafts {
  constructor(session) {
    this.session = session;
    this.texts = new Map(); // conv id -> text
    try {
      for (const [id, text] of Object.entries(JSON.parse(session?.getItem(DRAFTS_KEY) || '{}'))) {
        if (typeof text === 'string') this.texts.set(id, text);
      }
    } catch { /* nothing usable */ }
  }

  get(id) {
    return this.texts.get(id) ?? '';
  }

  // set keeps conv id's draft; an empty one is dropped.
  set(id, text) {
    if (text === '') this.texts.delete(id);
    else this.texts.set(id, text);
    this.save();
  }

  forget(id) {
    if (this.texts.delete(id)) this.save();
  }

  clear() {
    this.texts.clear();
    try {
      this.session?.removeItem(DRAFTS_KEY);
    } catch { /* nothing was kept */ }
  }

  save() {
    try {
      this.session?.setItem(DRAFTS_KEY, JSON.stringify(Object.fromEntries(this.texts)));
    } catch { /* the drafts last until a reload */ }
  }
}
