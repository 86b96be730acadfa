// Confirm makes a button that does something final ask first, inline: the
// first press puts a question with "Yes" and "Cancel" in the button's
// place, and only "Yes" acts. Used by End chat on both pages and by the
// console's Sign out while chats are open. Never window.confirm(): it
// blocks the page (and its socket's handlers) and cannot be styled or
// translated with the page.
//
// Mis-clicks: the keyboard goes to Cancel, so a second Enter or Space
// cancels; Cancel comes last, where the button was at the right end of
// its row, so a double click lands on it or on the question. Esc cancels
// and gives the keyboard back to the button.

import { h } from './ui.js';
import { t } from './i18n.js';

export class Confirm {
  // button asks; question() is the question's text, read at each press
  // (it may count something); yes is the dictionary key of the confirming
  // button's text; onYes(subject) acts, where subject() says at the press
  // what is asked about (a conversation id), so that a later change of
  // screen cannot turn "Yes" on to something else. skip() says no
  // question is needed (nothing would be lost): the press acts at once.
  constructor(button, { question, yes, onYes, subject = () => null, skip = () => false }) {
    this.button = button;
    this.question = question;
    this.onYes = onYes;
    this.subject = subject;
    this.asked = undefined; // the subject while asking
    const id = button.id;
    this.ask = h('span', { id: `${id}-ask`, class: 'confirm-ask' });
    this.yes = h('button', { id: `${id}-yes`, type: 'button', class: 'danger', 'data-i18n': yes, text: t(yes) });
    this.no = h('button', { id: `${id}-no`, type: 'button', class: 'quiet', 'data-i18n': 'confirm.cancel', text: t('confirm.cancel') });
    this.group = h('span', { class: 'confirm', role: 'group', 'aria-labelledby': this.ask.id, hidden: true },
      this.ask, this.yes, this.no);
    button.after(this.group);

    button.addEventListener('click', () => {
      if (skip()) onYes(subject());
      else this.open();
    });
    this.yes.addEventListener('click', () => {
      if (!this.asking) return;
      const s = this.asked;
      this.close(false);
      this.onYes(s);
    });
    this.no.addEventListener('click', () => this.close(true));
    this.group.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      this.close(true);
    });
  }

  get asking() {
    return !this.group.hidden;
  }

  open() {
    this.asked = this.subject();
    this.ask.textContent = this.question();
    this.button.classList.add('confirm-asking');
    this.group.hidden = false;
    this.no.focus();
  }

  // close puts the button back; refocus gives it the keyboard (on Cancel
  // or Esc, not when the page moved on).
  close(refocus) {
    if (!this.asking) return;
    this.group.hidden = true;
    this.asked = undefined;
    this.button.classList.remove('confirm-asking');
    if (refocus && !this.button.hidden) this.button.focus();
  }

  // reset stops asking when what was asked about is gone or off screen.
  reset() {
    this.close(false);
  }

  // relabel redraws the question in the current language (the buttons
  // carry data-i18n and follow the page).
  relabel() {
    if (this.asking) this.ask.textContent = this.question();
  }
}
