// The supervisor view's widget settings (the form #widget-form): whether
// customers pick a team, and what the widget asks before a chat (an email:
// not at all, optional or required; the question). Read from GET
// /api/widget (no login; its teams are not this form's business) and saved
// with PUT /api/widget {"picker","email","question"}, which answers the
// settings as stored: {"picker","preChat":{"email","question"}}. The pure
// parts (an answer -> the form's values -> the PUT's body, a refusal's
// words) are test/supervisor-widget.test.js's.

import { t } from './i18n.js';
import { errorText } from './error-text.js';

// EMAIL_ASKS are the ways the widget can ask for an email, as the API
// spells them (store.AskOff, AskOptional, AskRequired).
export const EMAIL_ASKS = ['off', 'optional', 'required'];
// A failed read is tried again this much later, while the board shows.
const RETRY_MS = 15000;

// formFromWidget is the form's values for a GET or PUT /api/widget answer.
// What the answer lacks or spells wrong reads as the server's defaults:
// the picker on, no email, no question.
export function formFromWidget(body) {
  const pre = body?.preChat;
  return {
    picker: typeof body?.picker === 'boolean' ? body.picker : true,
    email: EMAIL_ASKS.includes(pre?.email) ? pre.email : 'off',
    question: pre?.question === true,
  };
}

// bodyFromForm is the PUT /api/widget body for the form's values.
export function bodyFromForm(form) {
  return {
    picker: Boolean(form?.picker),
    email: EMAIL_ASKS.includes(form?.email) ? form.email : 'off',
    question: Boolean(form?.question),
  };
}

// widgetError is the words for a refusal's code: the widget's own where a
// code means something narrower here (widget.err.*), else the page's.
export function widgetError(code) {
  const key = 'widget.err.' + code;
  const text = t(key);
  return text === key ? errorText(code) : text;
}

// WidgetPanel runs the form. api(method, path, body) asks the server as
// the teams panel does (the supervisor's token; an ApiError with a code on
// a refusal). The page calls load when the board shows, reset at sign-out
// and relabel when the language changes.
export class WidgetPanel {
  constructor({ api }) {
    this.api = api;
    const $ = (id) => document.getElementById(id);
    this.el = {
      form: $('widget-form'), picker: $('widget-picker'), email: $('widget-email'),
      question: $('widget-question'), save: $('widget-save'), status: $('widget-status'),
    };
    this.status = () => ''; // the status line, in the current language
    this.ok = false; // the status says all went well
    this.reads = 0; // counts reads and saves: only the latest answer counts
    this.loaded = false;
    this.saving = false;
    this.retry = null;
    this.el.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
    // "Saved" no longer holds once a control changes.
    for (const c of [this.el.picker, this.el.email, this.el.question]) {
      c.addEventListener('change', () => {
        if (this.ok) this.say(() => '');
      });
    }
    this.enable(false);
  }

  say(status, ok = false) {
    this.status = status;
    this.ok = ok;
    this.relabel();
  }

  // relabel redraws the status line in the current language; the labels
  // are the page's data-i18n.
  relabel() {
    this.el.status.textContent = this.status();
    this.el.status.classList.toggle('ok', this.ok);
  }

  // enable lets the controls be used, once there are settings in them.
  enable(on) {
    for (const c of [this.el.picker, this.el.email, this.el.question, this.el.save]) c.disabled = !on;
  }

  readForm() {
    return { picker: this.el.picker.checked, email: this.el.email.value, question: this.el.question.checked };
  }

  fill(form) {
    this.el.picker.checked = form.picker;
    this.el.email.value = form.email;
    this.el.question.checked = form.question;
    this.loaded = true;
    this.enable(true);
  }

  // load reads the settings as the server has them now.
  async load() {
    clearTimeout(this.retry);
    this.retry = null;
    const read = ++this.reads;
    this.saving = false;
    if (!this.loaded) this.say(() => t('widget.loading'));
    try {
      const body = await this.api('GET', 'api/widget');
      if (read !== this.reads) return;
      this.fill(formFromWidget(body));
      this.say(() => '');
    } catch (e) {
      if (read !== this.reads) return;
      if (this.loaded) this.enable(true);
      this.say(() => t('widget.loadFailed', { message: widgetError(e.code) }));
      this.retry = setTimeout(() => this.load(), RETRY_MS);
    }
  }

  // save sends the form; the answer, as stored, fills it again. The
  // controls wait meanwhile, so nothing typed is lost to the answer; Save
  // keeps the keyboard.
  async save() {
    if (!this.loaded || this.saving) return;
    const body = bodyFromForm(this.readForm());
    const read = ++this.reads;
    this.saving = true;
    for (const c of [this.el.picker, this.el.email, this.el.question]) c.disabled = true;
    this.say(() => t('widget.saving'));
    try {
      const saved = await this.api('PUT', 'api/widget', body);
      if (read !== this.reads) return;
      this.fill(formFromWidget(saved));
      this.say(() => t('widget.saved'), true);
    } catch (e) {
      if (read !== this.reads) return;
      this.enable(true);
      this.say(() => widgetError(e.code));
    } finally {
      if (read === this.reads) this.saving = false;
    }
  }

  // reset forgets everything at sign-out.
  reset() {
    ++this.reads;
    clearTimeout(this.retry);
    this.retry = null;
    this.loaded = false;
    this.saving = false;
    this.enable(false);
    this.say(() => '');
  }
}
