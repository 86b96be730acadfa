// What the widget says when its place in the queue changes for a reason
// the customer did not choose: its conversation sent back to the queue
// (the agent left, or handed it back), or its position moving back
// because others were put ahead of it. Every notice is worded from the
// position of the same queued frame the queue panel shows, so the two
// never disagree: a re-queued conversation goes to the head of the queue,
// but with others sent back at once it may be 4th, not "at the front".

import { t } from './i18n.js';

// The requeued frame's reasons (docs/protocol.md), and the queued frame's
// reasons for a position that moved back; anything else reads as the first.
const REQUEUED = ['agent_lost', 'requeued'];
const MOVED_BACK = ['requeued_ahead', 'returned_ahead'];

function known(list, reason) {
  return list.includes(reason) ? reason : list[0];
}

export class QueueNotices {
  constructor() {
    // The reason of a requeued frame not yet told: the position comes
    // with the queued frame that follows it (or an agent takes the
    // conversation at once, and no position comes).
    this.sentBack = '';
  }

  // requeued takes a requeued frame; its notice waits for the position.
  requeued(f) {
    this.sentBack = known(REQUEUED, f.reason);
  }

  // queued returns the notice a queued frame calls for, or '' for none:
  // why the conversation is back in the queue and where it stands, or why
  // the position moved back (the server says so once per move).
  queued(f) {
    const position = f.position;
    if (this.sentBack) {
      const why = this.sentBack;
      this.sentBack = '';
      return t(`chat.requeued.${why}`, { position });
    }
    if (f.reason) return t(`queue.movedBack.${known(MOVED_BACK, f.reason)}`, { position });
    return '';
  }

  // assigned returns the notice for an agent taking the conversation, or
  // '': when it was sent back and taken before any position came, the
  // customer still learns why the agent changed.
  assigned() {
    const why = this.sentBack;
    this.sentBack = '';
    return why ? t(`chat.reassigned.${why}`) : '';
  }

  // ended forgets a notice still waiting: the conversation is over.
  ended() {
    this.sentBack = '';
  }
}
