// Telling customers with the same name apart in the console (issue #13,
// item 10). A name is only a label the customer typed; the server-issued
// customer id is who they are. When two open chats' customers share a name
// (ignoring case and spaces around it), each gets the end of its id after
// the name, "Ann · 2piu": short, stable for that customer, and the same in
// the list and the chat's title. Names nobody shares stay as they are.

// TAG_MIN is how many characters of the id a tag shows at first; more are
// shown only when two ids end alike.
const TAG_MIN = 4;
// TAG_SEP goes between a name and its tag.
export const TAG_SEP = ' · ';

const key = (name) => String(name ?? '').trim().toLowerCase();

// nameTags returns, for each customer among customers ({id, name}) whose
// name another one with a different id shares, the tag that tells them
// apart: Map id -> tag. Customers not in the map need none.
export function nameTags(customers) {
  const byName = new Map();
  for (const c of customers) {
    if (!c?.id) continue;
    const ids = byName.get(key(c.name)) ?? new Set();
    ids.add(c.id);
    byName.set(key(c.name), ids);
  }
  const tags = new Map();
  for (const ids of byName.values()) {
    if (ids.size < 2) continue;
    const list = [...ids];
    let n = TAG_MIN;
    const longest = Math.max(...list.map((id) => id.length));
    while (n < longest && new Set(list.map((id) => id.slice(-n))).size < list.length) n++;
    for (const id of list) tags.set(id, id.slice(-n));
  }
  return tags;
}
