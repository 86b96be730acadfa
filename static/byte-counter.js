// ByteCounter watches a reply box against the server's text limit, which
// is in bytes of UTF-8 (welcome's maxTextBytes), not characters: a Chinese
// character takes 3 bytes, so 8192 bytes hold about 2,730 of them. From
// SHOW_FROM of the limit it shows "used / limit" bytes; over the limit it
// says why, disables Send, and over() tells the page's onSend to refuse,
// so Enter does not send either. The text always stays in the box.

import { t, language } from './i18n.js';

// DEFAULT_MAX_TEXT_BYTES is assumed until welcome names the server's limit
// (a server older than maxTextBytes has this one).
export const DEFAULT_MAX_TEXT_BYTES = 8192;
// SHOW_FROM is the share of the limit from which the count shows: below
// it the number is noise.
export const SHOW_FROM = 0.8;
// BYTES_PER_HANZI turns the limit into Chinese characters for the reason.
const BYTES_PER_HANZI = 3;

const encoder = new TextEncoder();

// utf8Bytes is what the server counts: the length of s in UTF-8.
export function utf8Bytes(s) {
  return encoder.encode(s).length;
}

export class ByteCounter {
  // textarea is the reply box, button its Send, output where the count
  // and the reason show (a live region, so a screen reader hears them).
  constructor(textarea, button, output) {
    this.textarea = textarea;
    this.button = button;
    this.output = output;
    this.limit = DEFAULT_MAX_TEXT_BYTES;
    // The composer clears the box after a send and then focuses it (or
    // the Enter's keyup follows): both redraw, with no input event.
    for (const ev of ['input', 'keyup', 'focus']) textarea.addEventListener(ev, () => this.update());
    this.update();
  }

  // setLimit takes welcome's maxTextBytes; a missing one keeps the default.
  setLimit(n) {
    if (Number.isInteger(n) && n > 0) this.limit = n;
    this.update();
  }

  over() {
    return utf8Bytes(this.textarea.value) > this.limit;
  }

  // restore puts a text the server refused back in an empty box, so the
  // user can shorten it or send it again; a box with new text is left be.
  restore(text) {
    if (this.textarea.value.trim() !== '' || !text) return false;
    this.textarea.value = text;
    this.update();
    return true;
  }

  // update redraws the count; call it after setting the box's value.
  update() {
    const used = utf8Bytes(this.textarea.value);
    const over = used > this.limit;
    const n = (x) => x.toLocaleString(language() === 'zh' ? 'zh-CN' : 'en');
    const vars = { used: n(used), max: n(this.limit), over: n(used - this.limit), hanzi: n(Math.floor(this.limit / BYTES_PER_HANZI)) };
    this.output.hidden = used < this.limit * SHOW_FROM;
    this.output.classList.toggle('over', over);
    this.output.textContent = this.output.hidden ? '' : t(over ? 'compose.tooLong' : 'compose.bytes', vars);
    this.button.disabled = over;
    if (over) this.textarea.setAttribute('aria-invalid', 'true');
    else this.textarea.removeAttribute('aria-invalid');
  }
}
