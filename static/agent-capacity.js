// The console's "Chats at once" field: what it accepts, and why not. The
// server says its cap in welcome (maxCapacity, -max-capacity on the
// server); a number outside 1..cap is refused here with the reason, never
// reverted in silence (issue #13, item 10). The server checks again.

// MIN_CAPACITY is the least an agent may take at once.
export const MIN_CAPACITY = 1;
// FALLBACK_MAX is the cap of a server that does not say (store.MaxCapacity).
export const FALLBACK_MAX = 50;

// capacityCap is the cap a welcome frame f announces.
export function capacityCap(f) {
  const n = Number(f?.maxCapacity);
  return Number.isInteger(n) && n >= MIN_CAPACITY ? n : FALLBACK_MAX;
}

// capacityOK says whether value (the field's text) is a capacity the
// server takes: a whole number from MIN_CAPACITY to max.
export function capacityOK(value, max) {
  const n = Number(value);
  return String(value).trim() !== '' && Number.isInteger(n) && n >= MIN_CAPACITY && n <= max;
}
