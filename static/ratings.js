// The customers' ratings as the supervisor view and the console show them
// (GET /api/ratings, issue #13, item 10). The store adds them up on each
// request, so pages ask every RATINGS_MS, not with every poll. The clock
// is Date.now, read when the page's own timer ticks, as the tests' is.

import { t } from './i18n.js';

// RATINGS_MS is how often a page asks: ratings change a few times an hour.
export const RATINGS_MS = 30 * 1000;

export class RatingsFeed {
  // token() is the caller's login token (or null: not signed in);
  // onData(body) gets each answer.
  constructor(token, onData) {
    this.token = token;
    this.onData = onData;
    this.last = -Infinity; // when it last asked (ms)
    this.busy = false;
  }

  // due asks when RATINGS_MS have passed since the last time.
  due() {
    if (Date.now() - this.last >= RATINGS_MS) this.refresh();
  }

  // refresh asks now. A failure keeps what is shown and asks again at
  // the next due time.
  async refresh() {
    const token = this.token();
    if (!token || this.busy) return;
    this.busy = true;
    this.last = Date.now();
    try {
      const res = await fetch('api/ratings', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
      if (res.ok) this.onData(await res.json());
    } catch { /* offline: the next due time asks again */ } finally {
      this.busy = false;
    }
  }

  // reset forgets when it last asked (signed out).
  reset() {
    this.last = -Infinity;
  }
}

// ratingAverage is a rating's mean as shown, one decimal, or '' with none.
export function ratingAverage(r) {
  return r && r.count > 0 && Number.isFinite(r.average) ? r.average.toFixed(1) : '';
}

// ratingText is "4.5 / 5 (12 rated)" in the page's language, or the
// page's words for none yet.
export function ratingText(r) {
  const avg = ratingAverage(r);
  return avg ? t('rating.value', { avg, n: r.count }) : t('rating.none');
}
