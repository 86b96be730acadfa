// Why the server signed the console out, in words the agent can act on.
// Every such close is 4003; its reason (actors/disconnect.go) says which:
// a revoked token is a supervisor's "Sign out" (or a password change), a
// removed account is gone for good, anything else is an expired or
// invalid sign-in (issue #13, item 10).

const REASONS = [
  ['token revoked', 'login.revoked'],
  ['account removed', 'login.removed'],
];

// signedOutKey returns the dictionary key that explains the close event
// e ({code, reason}) of a console the server will not take back.
export function signedOutKey(e) {
  const reason = String(e?.reason ?? '');
  for (const [part, key] of REASONS) if (reason.includes(part)) return key;
  return 'login.expired';
}
