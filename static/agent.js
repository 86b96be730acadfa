// The agent console (/agent): sign in, go available or away, serve several
// customers at once, transfer, end. The protocol is kefu-client.js's; the
// conversations and their list are agent-convs.js's; this file turns the
// client's events into the page and the agent's actions into frames.

import { KefuClient } from './kefu-client.js';
import { t, useDictionary } from './i18n.js';
import dict from './i18n/agent.js';
import { byId, composer, connectionText, languageButton, storage } from './ui.js';
import { Desk } from './agent-convs.js';
import { Alerts } from './agent-alerts.js';
import { Drafts } from './agent-drafts.js';
import { ByteCounter } from './byte-counter.js';
import { errorText } from './error-text.js';
import { forgetLogin, logIn, logOut, savedLogin } from './agent-login.js';
import { Confirm } from './confirm.js';
import { TransferForm } from './agent-transfer.js';
import { relabelHandoffs, showHandoffs } from './agent-handoffs.js';
import { signedOutKey } from './agent-signedout.js';
import { FALLBACK_MAX, MIN_CAPACITY, capacityCap, capacityOK } from './agent-capacity.js';
import { MyRating } from './agent-rating.js';
import { Inbox } from './agent-inbox.js';
import { CannedMenu, fillCanned } from './agent-canned.js';
import { Labels } from './agent-labels.js';
import { HistoryPanel } from './history-panel.js';
import { CannedEditor } from './canned-editor.js';
import { filesFrom, sendFiles, useToken } from './attachments.js';
import { NoteSwitch, noteRefused, relabelNotes, showNote, showNotes, showPendingNote } from './agent-notes.js';

useDictionary(dict);

const CLIENT_KEY = 'kefu.agent.client'; // the client's outbox and open conversations, per tab
const TYPING_SHOWN_MS = 4000; // the protocol has no "stopped typing"
const TOAST_MS = 6000;
const ORDER_KEY = 'kefu.agent.order'; // the list's order, kept in localStorage
const WAIT_TICK_MS = 60 * 1000; // "waiting 3 m" counts in minutes

const session = storage('sessionStorage');
const local = storage('localStorage');
const alerts = new Alerts(local);
const drafts = new Drafts(session);
const el = Object.fromEntries([
  'lang', 'who', 'controls', 'status', 'capacity', 'load', 'sound', 'logout', 'banner', 'login', 'login-form', 'login-name',
  'login-password', 'login-error', 'login-go', 'console', 'conv-list', 'no-convs', 'thread-title', 'transfer-open',
  'end', 'dismiss', 'transfer', 'transfer-to', 'transfer-note', 'transfer-go', 'transfer-cancel', 'thread-empty', 'threads', 'typing', 'compose',
  'text', 'toast', 'convs-title', 'order', 'my-rating', 'inboxes',
].map((id) => [id, byId(id)]));
const counter = new ByteCounter(el.text, byId('send'), byId('text-bytes'));
const desk = new Desk({
  list: el['conv-list'], threads: el.threads, empty: el['no-convs'], onSelect: showActive,
  older: (conv, before) => (client ? client.older(conv, before) : Promise.reject(new Error('signed out'))),
});

let client = null;
let me = null; // the agent, from welcome
let capacity = 0;
let maxCapacity = FALLBACK_MAX; // the server's cap, from welcome
let maxFile = 0; // the largest upload the server takes, from welcome
let status = 'available'; // as the server last said
const typingTimers = new Map();
let toastTimer = null;
const myRating = new MyRating(el['my-rating']);
// The "/" menu of saved replies; before composer(), so that Enter while it
// is open inserts a reply instead of sending.
const canned = new CannedMenu(el.text, byId('canned-menu'), {
  fill: (text) => fillCanned(text, { customer: desk.get(el.text.dataset.conv)?.customer?.name ?? '', agent: me?.name ?? '' }),
});
// The reply box's "Note" switch: a private note instead of a reply.
const noteSwitch = new NoteSwitch(byId('note-mode'), el.compose, el.text, byId('send'));
// The chat on screen's labels, over HTTP.
const labels = new Labels(byId('labels'), byId('label-list'), byId('label-add'), {
  token: () => client?.token, say: (text) => toast(text),
});
// History and search, and the agent's own saved replies: each in place of
// the thread while it is open.
const past = new HistoryPanel(byId('history-panel'), { token: () => client?.token ?? '' });
const replies = new CannedEditor(byId('canned-editor'), { token: () => client?.token ?? '', changed: () => canned.load(client?.token) });
function showPane(id) {
  for (const pane of ['history', 'canned']) byId(pane).hidden = pane !== id;
  document.querySelector('.thread').hidden = id !== null;
  if (id === 'history') {
    past.search();
    byId('history-q').focus();
  } else if (id === 'canned') {
    replies.load();
    byId('canned-shortcut').focus();
  }
}
byId('history-open').addEventListener('click', () => showPane('history'));
byId('canned-open').addEventListener('click', () => showPane('canned'));
for (const id of ['history-close', 'canned-close']) byId(id).addEventListener('click', () => showPane(null));
// The teams' inboxes; their list of teams is the transfer form's too.
const inbox = new Inbox(el.inboxes, {
  send: (f) => client?.frame(f) ?? false, online, token: () => client?.token, onTeams: (teams) => transfer.setTeams(teams),
});

function visible() {
  return document.visibilityState === 'visible';
}

function start(login) {
  el.login.hidden = true;
  el.console.hidden = false;
  el.controls.hidden = false;
  el.who.textContent = login.agent?.name ?? '';
  // The sign-in form's focus went with it: to the list until a chat comes.
  el['convs-title'].focus();
  client = new KefuClient({ role: 'agent', token: login.token, storage: session, key: CLIENT_KEY });
  myRating.start(login.token);
  client.on('connection', onConnection);
  client.on('welcome', (f) => {
    me = f.you;
    counter.setLimit(f.maxTextBytes);
    maxFile = f.maxFileBytes ?? 0;
    el.who.textContent = me.name;
    maxCapacity = capacityCap(f);
    el.capacity.max = String(maxCapacity);
    setState(f);
    inbox.welcomed(); // every welcome: a new socket asks again
    canned.load(client?.token); // the saved replies, afresh
  });
  client.on('state', setState);
  client.on('conv', onConv);
  client.on('msg', onMessage);
  client.on('ack', (f) => desk.get(f.conv)?.thread.acked(f.cid));
  client.on('failed', (f) => {
    desk.get(f.conv)?.thread.failed(f.cid, f.code);
    keepRefused(f);
  });
  client.on('typing', onTyping);
  client.on('read', (f) => f.by?.id !== me?.id && desk.get(f.conv)?.thread.read(f.seq));
  client.on('ended', onEnded);
  client.on('note', (f) => {
    const rec = desk.get(f.conv);
    if (rec) showNote(rec.thread, f);
  });
  client.on('agents', (f) => transfer.setAgents(f.agents ?? [], me?.id));
  inbox.listen(client);
  client.on('error', (f) => {
    for (const r of desk.recs.values()) noteRefused(r.thread, f.cid);
    toast(t('error.generic', { message: inbox.refusal(f) ?? transfer.refusal(f) ?? errorText(f) }));
    if (f.code === 'team_closed' || f.code === 'unknown_team') inbox.load(); // the teams changed
    // A capacity the server refused (over its cap, or not saved) shows
    // the one it keeps; other errors leave the field as it is.
    el.capacity.value = String(capacity);
  });
  client.start();
}

function showLogin(message = '') {
  el.console.hidden = true;
  el.controls.hidden = true;
  el.login.hidden = false;
  el.who.textContent = '';
  el['login-error'].textContent = message;
  el['login-name'].focus();
}

function onConnection(e) {
  if (e.state === 'closed' && e.why) {
    // The token expired, was revoked or the account went: only a new
    // login helps, and the agent is told which.
    client.stop({ forget: true });
    forgetLogin(session);
    client = null;
    myRating.stop();
    inbox.stop();
    canned.clear();
    desk.clear();
    showActive(null);
    drafts.clear();
    showLogin(t(signedOutKey(e)));
    return;
  }
  const text = connectionText(e);
  el.banner.textContent = text;
  el.banner.hidden = text === '';
}

function setState(f) {
  status = f.status;
  el.status.value = f.status;
  capacity = f.capacity;
  el.capacity.value = String(capacity);
  drawLoad();
}

function drawLoad() {
  let load = 0;
  for (const r of desk.recs.values()) if (!r.ended) load++;
  el.load.textContent = capacity ? t('bar.load', { load, capacity }) : '';
  alerts.title(desk.attention());
}

function onConv(f) {
  const known = desk.get(f.conv) !== null;
  const restart = known && !desk.get(f.conv).thread.follows(f);
  const rec = desk.open(f);
  if (restart) rec.waitingSince = 0; // its history comes again
  // A chat just begun has no labels, and its record may not be stored
  // yet: no need to ask (agent-labels.js).
  if (f.why === 'assigned' && !f.after && !f.historyCount) rec.labels ??= [];
  if (!known || restart) {
    for (const m of client.pending(f.conv)) rec.thread.pending(m.cid, m.text, me?.name ?? '');
  }
  if (f.why === 'assigned' || f.why === 'transferred') {
    rec.thread.notice(t(f.why === 'assigned' ? 'thread.assigned' : 'thread.transferredIn', { name: f.customer?.name ?? '' }));
    rec.isNew = !(rec === desk.active && visible());
    rec.waitingSince ||= Date.now(); // waiting to be greeted
    alerts.chime();
  } else if (f.why === 'taken') {
    // The agent pressed Answer: in the tab where it was pressed, the chat
    // comes to the front; the customer's message is its history.
    rec.thread.notice(t('thread.taken', { name: f.customer?.name ?? '' }));
    rec.waitingSince ||= Date.now();
    if (inbox.taken(f.conv)) {
      desk.select(f.conv);
      focusReply();
    }
    rec.isNew = !(rec === desk.active && visible());
  }
  for (const r of f.reads ?? []) if (r.by !== me?.id) rec.thread.read(r.seq);
  if (!desk.active) {
    desk.select(f.conv);
    focusReply();
  } else if (rec === desk.active) showActive(rec);
  desk.draw(rec);
  drawLoad();
  // Its history follows as msg events, which may make another chat the
  // longest waiting: choose once they are in. Hand-offs go among them.
  queueMicrotask(() => {
    showHandoffs(rec.thread, f.handoffs, me?.id);
    showNotes(rec.thread, f.notes);
    bringWaiting();
  });
}

function onMessage(m) {
  const rec = desk.get(m.conv);
  if (!rec) return;
  rec.thread.message(m);
  rec.last = m.text;
  // Waiting since the customer's oldest line the agent has not answered.
  if (m.mine) rec.waitingSince = 0;
  else rec.waitingSince = Math.min(rec.waitingSince || Infinity, Date.parse(m.at) || Date.now());
  if (!m.mine) {
    stopTyping(rec);
    if (rec === desk.active && visible()) client.read(rec.id, m.seq);
    else rec.unread++;
  }
  if (rec === desk.active) rec.thread.scrollToEnd();
  desk.draw(rec);
  drawLoad();
  if (!m.mine) bringWaiting();
}

function onTyping(f) {
  const rec = desk.get(f.conv);
  if (!rec || f.from?.id === me?.id) return;
  rec.typing = true;
  desk.draw(rec);
  if (rec === desk.active) el.typing.textContent = t('thread.typing', { name: f.from?.name ?? '' });
  clearTimeout(typingTimers.get(rec.id));
  typingTimers.set(rec.id, setTimeout(() => stopTyping(rec), TYPING_SHOWN_MS));
}

function stopTyping(rec) {
  clearTimeout(typingTimers.get(rec.id));
  typingTimers.delete(rec.id);
  rec.typing = false;
  desk.draw(rec);
  if (rec === desk.active) el.typing.textContent = '';
}

function onEnded(f) {
  const rec = desk.get(f.conv);
  if (!rec) return;
  stopTyping(rec);
  rec.ended = f.reason;
  rec.thread.notice(t('ended.' + f.reason));
  desk.draw(rec);
  if (rec === desk.active) showActive(rec);
  drawLoad();
  bringWaiting();
}

// bringWaiting selects the customer who has waited longest for the agent
// when the chat on screen has ended (or none is), so that a new customer
// or unread lines never sit behind a finished chat. The agent is told
// which chat ended; it stays in the list. A hidden tab waits until it is
// shown: selecting marks lines read.
function bringWaiting() {
  const from = desk.active;
  if ((from && !from.ended) || !visible()) return;
  let next = null;
  for (const r of desk.recs.values()) {
    if (r.ended || !(r.isNew || r.unread > 0)) continue;
    if (!next || (r.waitingSince || Infinity) < (next.waitingSince || Infinity)) next = r;
  }
  if (!next) return;
  desk.select(next.id);
  focusReply();
  if (from) toast(t('thread.endedShowing', { ended: from.customer?.name ?? '', name: next.customer?.name ?? '' }));
}

// showActive draws the thread pane for the selected conversation and
// marks what the agent can now see as read.
function showActive(rec) {
  canned.close();
  if (rec !== labels.rec) labels.show(rec);
  swapDraft(rec);
  // "End chat?" is about the chat it was asked in, while it is open.
  if (!rec || rec.ended || rec.id !== endChat.asked) endChat.reset();
  el['thread-empty'].hidden = !!rec;
  if (rec?.id !== transfer.conv || rec?.ended) transfer.close(false);
  el['thread-title'].textContent = rec ? t('thread.with', { name: desk.label(rec) }) : '';
  el['transfer-open'].hidden = !rec || !!rec.ended;
  el.end.hidden = !rec || !!rec.ended;
  el.dismiss.hidden = !rec || !rec.ended;
  el.compose.hidden = !rec || !!rec.ended;
  el.typing.textContent = rec?.typing ? t('thread.typing', { name: rec.customer?.name ?? '' }) : '';
  if (rec && !rec.ended && visible() && rec.thread.lastSeq > 0) client.read(rec.id, rec.thread.lastSeq);
  drawLoad();
}

// swapDraft puts rec's draft in the reply box when the box holds another
// conversation's, keeping that one's first. The box's data-conv says whose
// draft it holds; only that conversation is ever sent it.
function swapDraft(rec) {
  const id = rec?.id ?? '';
  if (el.text.dataset.conv === id) return;
  if (el.text.dataset.conv) drafts.set(el.text.dataset.conv, el.text.value);
  el.text.dataset.conv = id;
  el.text.value = rec ? drafts.get(id) : '';
  counter.update();
}

// keepRefused gives a message the server refused back to its
// conversation's box (or its draft, when another is shown), if that holds
// nothing newer, so the agent can shorten it or send it again.
function keepRefused(f) {
  if (el.text.dataset.conv === f.conv) {
    if (counter.restore(f.text)) drafts.set(f.conv, f.text);
  } else if (desk.get(f.conv) && !drafts.get(f.conv)) drafts.set(f.conv, f.text);
}

// focusReply puts the keyboard in the reply box, when the agent asked
// (force) or when the focus is nowhere or in the list and chat panes,
// never taking it from a control the agent is using.
function focusReply(force = false) {
  if (el.compose.hidden) return;
  const a = document.activeElement;
  if (force || !a || a === document.body || (el.console.contains(a) && a !== el.order)) el.text.focus();
}

// online says whether a frame sent now would reach the server, and tells
// the agent to wait when it would not: messages wait in the outbox, but
// other frames sent while reconnecting are lost.
function online() {
  if (client?.connection === 'online') return true;
  toast(t('conn.notNow'));
  return false;
}

function toast(text) {
  el.toast.textContent = text;
  el.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.toast.hidden = true; }, TOAST_MS);
}

// --- the agent's actions ---

el['login-form'].addEventListener('submit', async (e) => {
  e.preventDefault();
  el['login-go'].disabled = true;
  el['login-error'].textContent = '';
  const { login, error } = await logIn(session, el['login-name'].value.trim(), el['login-password'].value);
  el['login-go'].disabled = false;
  if (login) {
    el['login-password'].value = '';
    start(login);
    return;
  }
  el['login-error'].textContent = error.code === 'bad_credentials' ? t('login.bad')
    : error.code === 'rate_limited' ? t('login.limited', { s: error.retryAfter })
      : t('login.failed', { message: errorText(error) });
});
el.status.addEventListener('change', () => {
  if (online()) client.status(el.status.value);
  else el.status.value = status; // as the server last said
});
el.capacity.addEventListener('change', () => {
  // The server checks too and answers with a state frame or an error;
  // out of range, the agent is told the range before anything is sent.
  if (!capacityOK(el.capacity.value, maxCapacity)) {
    toast(t('capacity.range', { min: MIN_CAPACITY, max: maxCapacity }));
    el.capacity.value = String(capacity); // as the server last said
  } else if (online()) {
    client.capacity(Number(el.capacity.value));
  } else {
    el.capacity.value = String(capacity);
  }
});
// Choosing a chat in the list (click, or Enter on it) goes on to its reply
// box: one key from the list. The entry's own listener selects it first.
el['conv-list'].addEventListener('click', (e) => {
  if (e.target.closest('.conv-item')) focusReply(true);
});
el.order.value = local?.getItem(ORDER_KEY) === 'waiting' ? 'waiting' : 'arrival';
desk.setOrder(el.order.value);
el.order.addEventListener('change', () => {
  desk.setOrder(el.order.value);
  try {
    local?.setItem(ORDER_KEY, desk.order);
  } catch { /* the choice lasts until a reload */ }
});
setInterval(() => desk.draw(null), WAIT_TICK_MS);
// Shortcuts (the list's note names them): Alt+N the next chat that waits
// for the agent, Alt+R or / the reply box. e.code, since Alt changes the
// key's character on some layouts; / only outside text fields.
document.addEventListener('keydown', (e) => {
  if (el.console.hidden || e.ctrlKey || e.metaKey || e.isComposing) return;
  const typing = e.target.closest?.('input, textarea, select, [contenteditable]');
  if (e.altKey && e.code === 'KeyN') {
    e.preventDefault();
    const next = desk.next();
    if (next) desk.select(next.id);
    focusReply(true);
  } else if ((e.altKey && e.code === 'KeyR') || (e.key === '/' && !e.altKey && !typing)) {
    e.preventDefault();
    focusReply(true);
  }
});
el.sound.checked = alerts.sound;
el.sound.addEventListener('change', () => alerts.setSound(el.sound.checked));
// Signing out with chats open asks first: they go back to the queue.
const openChats = () => [...desk.recs.values()].filter((r) => !r.ended).length;
const signOut = new Confirm(el.logout, {
  question: () => (openChats() === 1 ? t('bar.logoutAsk1') : t('bar.logoutAsk', { n: openChats() })),
  yes: 'bar.logoutYes',
  skip: () => openChats() === 0,
  onYes: async () => {
    const token = savedLogin(session)?.token;
    client?.stop({ forget: true });
    forgetLogin(session);
    drafts.clear();
    el.logout.disabled = true;
    await logOut(token);
    location.reload();
  },
});
const endChat = new Confirm(el.end, {
  question: () => t('thread.endAsk', { name: desk.active?.customer?.name ?? '' }),
  yes: 'thread.endYes',
  subject: () => desk.active?.id,
  onYes: (id) => {
    if (desk.get(id) && online()) client.end(id);
    el.end.focus(); // hidden once the end comes; showActive moves on
  },
});
el.dismiss.addEventListener('click', () => {
  if (!desk.active) return;
  drafts.forget(desk.active.id);
  desk.remove(desk.active.id);
  bringWaiting();
  if (desk.active) return;
  const next = desk.recs.keys().next();
  if (next.done) showActive(null);
  else desk.select(next.value);
});
const transfer = new TransferForm({
  form: el.transfer, to: el['transfer-to'], note: el['transfer-note'], go: el['transfer-go'], cancel: el['transfer-cancel'], open: el['transfer-open'],
}, {
  onSend(to, note) {
    const rec = desk.get(transfer.conv);
    if (!rec || rec.ended || !online()) return false;
    client.transfer(rec.id, to, note);
    return true;
  },
});
el['transfer-open'].addEventListener('click', () => {
  transfer.conv = desk.active?.id;
  transfer.open();
  client.agents();
  inbox.load(); // teams open and close by the hour
});
// Files pasted, dropped on the chat or picked go to the chat on screen.
useToken(() => client?.token ?? '');
filesFrom({ textarea: el.text, zone: el.threads, button: byId('attach'), input: byId('file-input') }, (files) => {
  const rec = desk.active;
  if (!rec || rec.ended || !client) return;
  sendFiles(files, { conv: rec.id, maxBytes: maxFile, thread: rec.thread, me: me?.name ?? '', send: (conv, name, ref) => client.send(conv, name, ref) });
});
composer(el.compose, el.text, {
  onSend(text) {
    // The box's conversation, which is the one shown: a draft never goes
    // to another.
    const rec = desk.get(el.text.dataset.conv);
    if (!rec || rec !== desk.active || rec.ended || counter.over()) return false; // the counter says why
    if (noteSwitch.on) {
      const cid = online() ? client.note(rec.id, text) : '';
      if (!cid) return false; // the text stays in the box
      drafts.forget(rec.id);
      showPendingNote(rec.thread, cid, text, me?.name ?? '');
      rec.thread.scrollToEnd();
      return true;
    }
    drafts.forget(rec.id);
    const cid = client.send(rec.id, text);
    if (cid) rec.thread.pending(cid, text, me?.name ?? '');
    rec.thread.scrollToEnd();
    return true;
  },
  onInput() {
    const rec = desk.get(el.text.dataset.conv);
    if (!rec) return;
    drafts.set(rec.id, el.text.value);
    if (!rec.ended && !noteSwitch.on) client.typing(rec.id); // a note is not for the customer's eyes

  },
});
document.addEventListener('visibilitychange', () => {
  if (visible() && desk.active) {
    desk.active.unread = 0;
    desk.active.isNew = false;
    desk.draw(desk.active);
    showActive(desk.active);
  }
  bringWaiting();
});

languageButton(el.lang, () => {
  desk.relabel();
  transfer.draw();
  endChat.relabel();
  signOut.relabel();
  for (const r of desk.recs.values()) {
    relabelHandoffs(r.ol, me?.id);
    relabelNotes(r.ol);
  }
  noteSwitch.draw();
  labels.draw();
  past.draw();
  replies.draw();
  showActive(desk.active);
  counter.update();
  myRating.draw();
  inbox.draw();
});
showActive(null);
const login = savedLogin(session);
if (login) start(login);
else showLogin();
