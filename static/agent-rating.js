// The agent's own rating in the console's bar: the average and count of
// the ratings customers gave their chats (GET /api/ratings, "you"),
// asked on sign-in and every RATINGS_MS after (issue #13, item 10).

import { t } from './i18n.js';
import { RatingsFeed, ratingText } from './ratings.js';

// TICK_MS is how often the console checks whether RATINGS_MS passed.
const TICK_MS = 5000;

export class MyRating {
  constructor(el) {
    this.el = el;
    this.token = null;
    this.body = null;
    this.timer = null;
    this.feed = new RatingsFeed(() => this.token, (body) => {
      this.body = body;
      this.draw();
    });
  }

  // start shows the rating of the agent signed in with token.
  start(token) {
    this.stop();
    this.token = token;
    this.feed.due();
    this.timer = setInterval(() => this.feed.due(), TICK_MS);
  }

  // stop forgets it (signed out).
  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.token = null;
    this.body = null;
    this.feed.reset();
    this.draw();
  }

  draw() {
    this.el.textContent = this.body ? t('rating.mine', { rating: ratingText(this.body.you) }) : '';
  }
}
