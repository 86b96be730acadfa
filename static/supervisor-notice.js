// The supervisor view's notice line ("Ann was signed out on every
// device."): kept as a dictionary key and its values rather than as text,
// so that switching language redraws it, and gone after NOTICE_MS, so an
// old notice does not read as news (issue #13, item 10).

import { t } from './i18n.js';

// NOTICE_MS is how long a notice stays: long enough to read twice.
export const NOTICE_MS = 10000;

export class Notice {
  constructor(el) {
    this.el = el;
    this.shown = null; // {key, params, until} while a notice is up
    this.timer = null;
  }

  // show puts up t(key, params) for NOTICE_MS.
  show(key, params) {
    this.shown = { key, params, until: Date.now() + NOTICE_MS };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), NOTICE_MS);
    this.draw();
  }

  // tick takes the notice down once its time is up. The page calls it on
  // each poll too: the clock it reads is Date.now, as the tests' is.
  tick() {
    if (this.shown && Date.now() >= this.shown.until) this.shown = null;
    this.draw();
  }

  // draw writes the notice in the page's current language.
  draw() {
    this.el.hidden = !this.shown;
    this.el.textContent = this.shown ? t(this.shown.key, this.shown.params) : '';
  }
}
