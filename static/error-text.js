// errorText is the user's words for an error: the server's error frames
// (docs/protocol.md, "Error codes") and the client's own refusals carry a
// stable code and an English message meant for developers; the pages show
// the code's text from their dictionary (static/i18n/errors.js) instead,
// and a translated generic text for a code they do not know.

import { t } from './i18n.js';

// errorText takes an error frame or failed event ({code}) or a code.
export function errorText(e) {
  const key = 'err.' + (typeof e === 'string' ? e : e?.code);
  const text = t(key);
  return text === key ? t('err.unknown') : text;
}
