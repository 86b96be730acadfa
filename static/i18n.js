// Interface text in Chinese and English. Each page imports its own
// dictionary (static/i18n/<page>.js: {zh: {...}, en: {...}}) and calls
// useDictionary once; t(key, vars) then returns the text in the current
// language, with {name} placeholders filled in. The language is the
// browser's (navigator.languages) unless the user picked one, which is kept
// in localStorage. Text only: callers put the result in textContent, never
// parse it as markup.

const STORAGE_KEY = 'kefu.lang';
export const LANGUAGES = ['zh', 'en'];

let dict = { zh: {}, en: {} };
let lang = pickLanguage();
const listeners = new Set();

function pickLanguage() {
  const saved = safeStorage()?.getItem(STORAGE_KEY);
  if (LANGUAGES.includes(saved)) return saved;
  for (const l of navigator.languages || [navigator.language || '']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

// localStorage throws in some privacy modes and sandboxed frames.
function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function useDictionary(d) {
  dict = d;
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export function language() {
  return lang;
}

// setLanguage switches, remembers the choice and tells the page to redraw.
export function setLanguage(l) {
  if (!LANGUAGES.includes(l) || l === lang) return;
  lang = l;
  safeStorage()?.setItem(STORAGE_KEY, l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  for (const f of listeners) f(l);
}

export function onLanguageChange(f) {
  listeners.add(f);
}

// t returns key's text in the current language (English, then the key
// itself, when missing), with {placeholders} replaced from vars.
export function t(key, vars = {}) {
  const text = dict[lang]?.[key] ?? dict.en?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// translatePage fills every element carrying data-i18n (its text),
// data-i18n-placeholder, data-i18n-label (aria-label) or data-i18n-title.
export function translatePage(root = document) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder);
  for (const e of root.querySelectorAll('[data-i18n-label]')) e.setAttribute('aria-label', t(e.dataset.i18nLabel));
  for (const e of root.querySelectorAll('[data-i18n-title]')) e.title = t(e.dataset.i18nTitle);
}
