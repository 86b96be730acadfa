// Small DOM helpers the native pages share. Everything from the server or a
// user goes in as text: h() puts strings in text nodes and sets attributes
// one by one, and nothing here ever parses a string as markup.

import { t, language, setLanguage, onLanguageChange, translatePage } from './i18n.js';

// h creates a tag with props (class, text, attributes, on* listeners) and
// children (nodes, or strings as text).
export function h(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

export function byId(id) {
  return document.getElementById(id);
}

// clockTime shows an RFC 3339 time as the local hour and minute.
export function clockTime(at) {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(language() === 'zh' ? 'zh-CN' : 'en', { hour: '2-digit', minute: '2-digit' });
}

// languageButton makes button switch between Chinese and English; redraw
// runs after the static text is translated again.
export function languageButton(button, redraw) {
  button.addEventListener('click', () => setLanguage(language() === 'zh' ? 'en' : 'zh'));
  onLanguageChange(() => {
    translatePage();
    redraw();
  });
  translatePage();
}

// composer wires a textarea: Enter sends, Shift+Enter starts a new line,
// and Enter that confirms an input method's candidate (Chinese, Japanese)
// does neither. onInput fires on every edit, for typing notices.
export function composer(form, textarea, { onSend, onInput }) {
  const send = () => {
    const text = textarea.value;
    if (text.trim() === '') return;
    if (onSend(text) !== false) textarea.value = '';
    textarea.focus();
  };
  textarea.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    send();
  });
  textarea.addEventListener('input', () => onInput?.());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
}

// storage returns window[name] or null where the browser refuses it
// (privacy modes, sandboxed frames).
export function storage(name) {
  try {
    const s = window[name];
    s.getItem('kefu.probe');
    return s;
  } catch {
    return null;
  }
}

// connectionText is the banner's text for the client's connection event,
// or '' when all is well.
export function connectionText(e) {
  switch (e.state) {
    case 'connecting':
      return t('conn.connecting');
    case 'reconnecting':
      return t('conn.reconnecting');
    default:
      return '';
  }
}
