// The customer widget (index.html at / and, for other sites' iframes,
// /embed): give a name, wait in the queue with a live position and
// estimate, chat, end and rate. The protocol is kefu-client.js's; this file
// only turns its events into the page. Reloading keeps everything: the
// client keeps the resume token and the unsent messages, and this page
// keeps which conversation it showed, to ask for a rating after a reload.

import { KefuClient, savedToken } from './kefu-client.js';
import { language, t, useDictionary } from './i18n.js';
import dict from './i18n/customer.js';
import { byId, composer, connectionText, languageButton, storage } from './ui.js';
import { Thread } from './thread.js';
import { ByteCounter } from './byte-counter.js';
import { errorText } from './error-text.js';
import { Alerts } from './agent-alerts.js';
import { drawStars, chosenStars, etaText, titleText, waitedText } from './customer-parts.js';
import { QueueNotices } from './customer-queue.js';
import { Confirm } from './confirm.js';
import { focusReplyWhenShown, minimiseOnEscape } from './customer-keys.js';
import { chooseTeam, drawPicker, fetchWidget, fillStatus } from './customer-teams.js';
import { filesFrom, sendFiles, useToken } from './attachments.js';

useDictionary(dict);

const CLIENT_KEY = 'kefu.customer'; // the client's token, outbox, open conversations
const SOUND_KEY = 'kefu.widget.sound'; // 'on' when the customer wants a tone for replies
const PAGE_KEY = 'kefu.widget'; // {name, conv, ended, rated, since}: what this page showed
const TYPING_SHOWN_MS = 4000; // the protocol has no "stopped typing"
const QUEUE_TICK_MS = 1000; // the time waited shows seconds

const local = storage('localStorage');
const embedded = location.pathname === '/embed';
const el = Object.fromEntries([
  'lang', 'sound', 'minimise', 'banner', 'banner-text', 'use-here', 'start', 'start-form', 'name', 'start-error',
  'chat', 'agent-line', 'end', 'queue', 'queue-position', 'queue-eta', 'queue-waited', 'cancel', 'messages', 'typing',
  'compose', 'text', 'ended', 'ended-why', 'rate-form', 'stars', 'rate-send', 'rate-thanks', 'again',
  'teams', 'team-list', 'team-status', 'offline', 'email', 'form-text', 'start-go', 'left', 'left-text', 'leave-instead',
  'email-field', 'email-label', 'text-field', 'form-text-label',
].map((id) => [id, byId(id)]));
const counter = new ByteCounter(el.text, byId('send'), byId('text-bytes'));
const thread = new Thread(el.messages, (before) => (client && view.conv ? client.older(view.conv, before) : Promise.reject(new Error('offline'))));

// What the page shows, changed only by the handlers below; render() draws it.
const view = {
  screen: 'start', // start | chat | '' (a returning customer, until welcome)
  me: null, // the customer, from welcome
  conv: null, // the conversation shown
  agent: null, // its agent, or null while it waits
  queued: null, // {position, eta, at} while in the queue: at is when the frame came (ms)
  since: 0, // when the customer asked for an agent (ms), for the time waited
  waiting: false, // asked for an agent, no answer yet
  ended: null, // the reason, once the conversation is over
  rated: 0,
  online: false,
  widget: null, // GET /api/widget's answer; null until it comes, or when it cannot
  team: null, // the team chosen: {id, name, open, available, nextOpen}; null while the customer picks
  leaving: null, // the offline form to send once welcomed: {team, email, lang, text}
  formAsked: false, // the customer chose to leave a message rather than wait
  question: '', // the pre-chat form's first question, sent once the chat opens
  email: '', // the pre-chat form's address, sent with the request
};
// The team the page names: /?team=tm_… or /embed?team=tm_… (widget.js's data-team).
const namedTeam = new URLSearchParams(location.search).get('team') ?? '';
let client = null;
let typingTimer = null;
let queueTimer = null; // redraws the countdown while in the queue
let panelOpen = false; // embedded: widget.js's panel is open
let unseen = 0; // agent lines that came while nobody looked
let arrived = ''; // the agent who joined while nobody looked
const alerts = new Alerts(local, SOUND_KEY);
const queueNotices = new QueueNotices();

function page() {
  try {
    return JSON.parse(local?.getItem(PAGE_KEY) || '{}') || {};
  } catch {
    return {};
  }
}

function remember(patch) {
  try {
    local?.setItem(PAGE_KEY, JSON.stringify({ ...page(), ...patch }));
  } catch { /* storage refused: a reload starts afresh */ }
}

function connect(name) {
  const p = page();
  client = new KefuClient({
    role: 'customer', name, storage: local, key: CLIENT_KEY,
    replay: p.conv && p.ended && !p.rated ? [p.conv] : [],
  });
  client.on('connection', onConnection);
  client.on('welcome', onWelcome);
  // The estimate counts down from each frame's arrival.
  client.on('queued', (f) => {
    notice(queueNotices.queued(f));
    set({ queued: { ...f, at: Date.now() }, waiting: false, since: view.since || waitStart() });
  });
  client.on('dequeued', () => {
    set({ queued: null, waiting: false, screen: 'start' });
    el['start-error'].textContent = view.formAsked ? '' : t('queue.left');
  });
  client.on('conv', onConv);
  client.on('msg', onMessage);
  client.on('ack', (f) => thread.acked(f.cid));
  client.on('failed', (f) => {
    thread.failed(f.cid, f.code);
    if (f.conv === view.conv) counter.restore(f.text); // to shorten or send again
  });
  client.on('typing', (f) => showTyping(f.from?.name));
  client.on('read', (f) => f.conv === view.conv && f.by?.id !== view.me?.id && thread.read(f.seq));
  client.on('agent', (f) => {
    if (f.conv !== view.conv) return;
    notice(queueNotices.assigned());
    thread.notice(t('chat.agentJoined', { name: f.agent?.name ?? '' }));
    set({ agent: f.agent, queued: null });
    attention(f.agent?.name ?? '');
  });
  client.on('requeued', (f) => {
    if (f.conv !== view.conv) return;
    queueNotices.requeued(f); // said with the position that follows
    set({ agent: null, since: waitStart(Date.now()) });
  });
  client.on('ended', onEnded);
  client.on('left', (f) => {
    view.leaving = null;
    remember({ formConv: f.conv });
    set({ screen: 'left' });
  });
  client.on('rated', (f) => {
    remember({ rated: f.rating });
    set({ rated: f.rating });
  });
  client.on('error', (f) => {
    if (view.waiting && !view.conv && (f.code === 'too_many_customers' || (f.code === 'rate_limited' && !f.cid))) {
      // The request was refused: nothing waits. Back to the start, saying why.
      set({ screen: 'start', queued: null, waiting: false });
      el['start-error'].textContent = errorText(f);
      return;
    }
    if (view.screen === 'start') el['start-error'].textContent = errorText(f);
    else thread.notice(t('error.generic', { message: errorText(f) }));
  });
  client.start();
}

function onConnection(e) {
  view.online = e.state === 'online';
  el['use-here'].hidden = true;
  let text = connectionText(e);
  if (e.state === 'closed' && e.why === 'replaced') {
    text = t('conn.replaced');
    el['use-here'].hidden = false;
  } else if (e.state === 'closed' && e.why) {
    // The token or the name was refused: start again as someone new.
    client.stop({ forget: true });
    client = null;
    remember({ conv: null });
    thread.clear();
    set({ screen: 'start', conv: null, agent: null, queued: null, ended: null, waiting: false });
    el['start-error'].textContent = t('conn.refused', { reason: errorText(e.why) });
  }
  el['banner-text'].textContent = text;
  el.banner.hidden = text === '';
  render();
}

function onWelcome(f) {
  view.me = f.you;
  view.maxFile = f.maxFileBytes ?? 0;
  counter.setLimit(f.maxTextBytes);
  remember({ name: f.you.name });
  if (f.state === 'inbox') {
    set({ screen: 'left' });
  } else if (f.state === 'idle' && page().formConv) {
    showAnswered(page().formConv);
  } else if (f.state === 'idle' && view.leaving) {
    client.leave(view.leaving);
  } else if (f.state === 'idle' && view.waiting) {
    client.request(view.team?.id ?? '', view.email);
  } else if (f.state === 'idle' && !view.conv) {
    set({ screen: 'start' });
  } else {
    set({ screen: 'chat' });
  }
}

// showAnswered shows a form's conversation that an agent answered and
// ended while the customer was away: its messages, read back with history.
function showAnswered(conv) {
  client.older(conv, 0).then((pageOf) => {
    thread.clear();
    for (const m of pageOf.history) thread.message({ ...m, mine: m.from?.id === view.me?.id });
    const agent = pageOf.history.findLast((m) => m.from?.role === 'agent')?.from ?? null;
    remember({ formConv: null, conv, ended: true, rated: 0 });
    set({ screen: 'chat', conv, agent, ended: 'gone', rated: 0 });
    thread.scrollToEnd();
  }).catch(() => set({ screen: 'start' }));
}

function onConv(f) {
  if (f.conv === page().formConv) remember({ formConv: null }); // taken while here: a chat now
  if (f.conv !== view.conv || !thread.follows(f)) {
    thread.clear();
    for (const m of client.pending(f.conv)) thread.pending(m.cid, m.text, view.me?.name ?? '');
  }
  thread.opened(f);
  const p = page();
  const rated = p.conv === f.conv ? p.rated || 0 : 0;
  remember({ conv: f.conv, ended: false, rated });
  for (const r of f.reads || []) if (r.by !== view.me?.id) thread.read(r.seq);
  // From the queue to an agent: say who came, as a transfer does.
  if (f.why === 'assigned' && f.agent && f.agent.id !== view.agent?.id) {
    thread.notice(t('chat.agentJoined', { name: f.agent.name }));
    thread.scrollToEnd();
    attention(f.agent.name);
  }
  set({ screen: 'chat', conv: f.conv, agent: f.agent, ended: null, rated, waiting: false, queued: f.agent ? null : view.queued });
  if (view.question && f.why === 'assigned') {
    // The pre-chat form's question is the chat's first line.
    const cid = client.send(f.conv, view.question);
    if (cid) thread.pending(cid, view.question, view.me?.name ?? '');
    view.question = '';
  }
}

function onMessage(m) {
  if (m.conv !== view.conv) return;
  thread.message(m);
  thread.scrollToEnd();
  if (m.mine) return;
  hideTyping();
  if (shown()) markRead();
  attention();
}

function onEnded(f) {
  if (f.conv !== view.conv) return;
  if (f.reason === 'withdrawn') {
    // Never stored (docs/protocol.md): the customer still waits, and the
    // server says where next (queued, or a conversation).
    remember({ conv: null, ended: false, rated: 0 });
    thread.clear();
    set({ conv: null, agent: null, ended: null, waiting: true, since: view.since || waitStart(Date.now()) });
    return;
  }
  queueNotices.ended();
  hideTyping();
  remember({ ended: true });
  set({ ended: f.reason, queued: null, agent: view.agent });
  thread.scrollToEnd(); // the rating took room from the lines
  el['rate-form'].querySelector('input')?.focus();
}

// notice puts a system line in the chat, if there is one to put.
function notice(text) {
  if (!text) return;
  thread.notice(text);
  thread.scrollToEnd();
}

function markRead() {
  if (view.conv && thread.lastSeq > 0) client?.read(view.conv, thread.lastSeq);
}

function showTyping(name) {
  el.typing.textContent = t('chat.typing', { name: name ?? '' });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, TYPING_SHOWN_MS);
}

function hideTyping() {
  clearTimeout(typingTimer);
  el.typing.textContent = '';
}

function set(patch) {
  Object.assign(view, patch);
  render();
}

function render() {
  const { screen, conv, agent, queued, ended, rated } = view;
  el.start.hidden = screen !== 'start';
  el.chat.hidden = screen !== 'chat';
  el.left.hidden = screen !== 'left';
  el['left-text'].textContent = screen === 'left' ? t('left.text') : '';
  renderTeams();
  el['agent-line'].textContent = !agent ? (ended ? '' : t('chat.waiting')) : t(ended ? 'chat.was' : 'chat.with', { name: agent.name });
  el.end.hidden = !conv || !!ended;
  el.queue.hidden = !!ended || !(queued || view.waiting);
  el['queue-position'].textContent = queued ? t('queue.position', { position: queued.position }) : '';
  renderQueue();
  el.cancel.hidden = !queued;
  el.compose.hidden = !conv || !!ended;
  el.ended.hidden = !ended;
  el['ended-why'].textContent = ended ? t('ended.' + ended) : '';
  el['rate-form'].hidden = !!rated;
  // Frames sent while reconnecting would be lost: wait for the socket.
  el['rate-send'].disabled = !view.online;
  el.end.disabled = !view.online;
  endChat.yes.disabled = !view.online;
  if (el.end.hidden) endChat.reset();
  el.cancel.disabled = !view.online;
  el['rate-thanks'].hidden = !rated;
  el['rate-thanks'].textContent = rated ? t('rate.thanks', { n: rated }) : '';
}

// renderQueue draws the estimate and the time waited, and keeps a timer
// redrawing them while the customer waits. Text is replaced only when it
// changes, so that the live region speaks only of real changes.
function renderQueue() {
  const { queued, since } = view;
  const now = Date.now();
  setText(el['queue-eta'], queued ? etaText(queued, now) : '');
  setText(el['queue-waited'], queued && since ? waitedText(since, now) : '');
  const ticking = !!queued && !view.ended;
  if (ticking && !queueTimer) queueTimer = setInterval(renderQueue, QUEUE_TICK_MS);
  if (!ticking && queueTimer) {
    clearInterval(queueTimer);
    queueTimer = null;
  }
}

// renderTeams shows the picker while the customer must choose, the chosen
// team's standing, and the offline form when it cannot serve now.
// A team open by its hours takes requests even with nobody online (the
// customer waits, told there is no estimate, and may leave a message
// instead); a closed one offers only the form.
function renderTeams() {
  const { widget, team } = view;
  const many = widget?.picker !== false && (widget?.teams.length ?? 0) > 1 && !(namedTeam && widget?.team);
  el.teams.hidden = !many;
  el['team-status'].hidden = !team?.id || many || !(namedTeam || !team.open); // the picker shows each team's
  if (team?.id) fillStatus(el['team-status'], team);
  const offline = formWanted();
  const ask = widget?.preChat ?? { email: 'off', question: false };
  el.offline.hidden = !offline;
  el['email-field'].hidden = !offline && ask.email === 'off';
  el.email.required = !offline && ask.email === 'required';
  el['email-label'].textContent = t(el.email.required ? 'form.emailRequired' : 'form.email');
  el['text-field'].hidden = !offline && !ask.question;
  el['form-text'].required = offline;
  el['form-text-label'].textContent = t(offline ? 'form.message' : 'prechat.question');
  el['start-go'].textContent = t(offline ? 'form.send' : 'start.go');
  el['leave-instead'].hidden = !view.queued || view.queued.eta !== null || !!view.conv;
}

// formWanted says whether the start screen is the offline form: the team
// is closed, or the customer chose to leave a message.
function formWanted() {
  return !!view.team && (!view.team.open || view.formAsked);
}

// chosenTeam is the team a start goes to: the one chosen, or, before the
// server said which teams there are (or if it cannot), the general
// team's queue as before teams; null while the customer must pick.
function chosenTeam() {
  return view.team ?? (view.widget ? null : { id: '', open: true, available: true });
}

function setText(e, text) {
  if (e.textContent !== text) e.textContent = text;
}

// waitStart is when the current wait began: at, and kept for a reload, or
// the kept time when at is not given (a reload in the queue).
function waitStart(at) {
  const since = at ?? page().since ?? Date.now();
  remember({ since });
  return since;
}

// shown says whether someone can see the chat: the tab is in view and,
// embedded, widget.js's panel is open. The page reads lines only then.
function shown() {
  return document.visibilityState === 'visible' && (!embedded || panelOpen);
}

// looking says whether the customer is at the chat: shown and, on our own
// page, its window has the focus (in a frame the host's page has it).
function looking() {
  return shown() && (embedded || document.hasFocus());
}

// attention tells of an agent's line, or of its arrival (joined, its
// name), that the customer is not looking at: in the tab's title, on
// widget.js's button, and with a tone if the customer chose one.
function attention(joined) {
  if (looking()) return;
  if (joined === undefined) unseen++;
  else arrived = joined;
  showUnseen();
  alerts.chime();
}

// seen: the customer came back to the chat; the count goes.
function seen() {
  if (shown()) markRead();
  if (!looking() || (unseen === 0 && !arrived)) return;
  unseen = 0;
  arrived = '';
  showUnseen();
}

function showUnseen() {
  if (embedded) {
    tellHost(unseen + (arrived ? 1 : 0));
    return;
  }
  document.title = titleText(unseen, arrived);
}

// tellHost shows the count of unseen lines on widget.js's button.
function tellHost(count) {
  if (embedded) window.parent.postMessage({ kefu: 'unread', count }, '*');
}

// --- the user's actions ---

el['start-form'].addEventListener('submit', (e) => {
  e.preventDefault();
  const name = el.name.value.trim();
  if (name === '') return;
  el['start-error'].textContent = '';
  remember({ name, conv: null, ended: false, rated: 0 });
  const team = chosenTeam();
  if (!team) {
    el['start-error'].textContent = t('teams.pickFirst');
    return;
  }
  thread.clear();
  if (formWanted()) {
    const text = el['form-text'].value.trim();
    if (text === '') return;
    view.leaving = { team: team.id, email: el.email.value.trim(), lang: language(), text };
    if (client && view.me?.name === name) client.leave(view.leaving);
    else {
      client?.stop({ forget: true });
      connect(name);
    }
    return;
  }
  view.question = el['text-field'].hidden ? '' : el['form-text'].value.trim();
  view.email = el['email-field'].hidden ? '' : el.email.value.trim();
  set({ screen: 'chat', conv: null, agent: null, ended: null, rated: 0, queued: null, waiting: true, since: waitStart(Date.now()) });
  if (client && view.me?.name === name) {
    client.request(team.id, view.email);
    return;
  }
  client?.stop({ forget: true });
  connect(name);
});
el.cancel.addEventListener('click', () => client?.cancel());
// Nobody online: the customer may stop waiting and leave a message.
el['leave-instead'].addEventListener('click', () => {
  view.formAsked = true;
  client?.cancel();
});
// End chat asks first (confirm.js), about the conversation shown then.
const endChat = new Confirm(el.end, {
  question: () => t('chat.endAsk'),
  yes: 'chat.endYes',
  subject: () => view.conv,
  onYes: (conv) => conv && conv === view.conv && client?.end(conv),
});
el['rate-form'].addEventListener('submit', (e) => {
  e.preventDefault();
  const n = chosenStars(el.stars);
  if (n > 0 && view.conv) client?.rate(view.conv, n);
});
el.again.addEventListener('click', () => {
  remember({ conv: null, ended: false, rated: 0 });
  thread.clear();
  set({ conv: null, agent: null, ended: null, rated: 0, waiting: true, since: waitStart(Date.now()) });
  client?.request(view.team?.id ?? '');
});
el['use-here'].addEventListener('click', () => client?.start());
// Files pasted, dropped on the chat or picked go up and out as messages.
useToken(() => client?.token ?? '');
filesFrom({ textarea: el.text, zone: el.chat, button: byId('attach'), input: byId('file-input') }, (files) => {
  if (!view.conv || view.ended || !client) return;
  sendFiles(files, { conv: view.conv, maxBytes: view.maxFile, thread, me: view.me?.name ?? '', send: (conv, name, ref) => client.send(conv, name, ref) });
});
composer(el.compose, el.text, {
  onSend(text) {
    if (!view.conv || view.ended || counter.over()) return false; // the counter says why
    const cid = client.send(view.conv, text);
    if (cid) thread.pending(cid, text, view.me?.name ?? '');
    thread.scrollToEnd();
    return true;
  },
  onInput: () => view.conv && !view.ended && client?.typing(view.conv),
});

// The page reads what it shows only while someone can see it, and counts
// what comes while nobody looks.
document.addEventListener('visibilitychange', seen);
window.addEventListener('focus', seen);
el.sound.checked = alerts.sound;
el.sound.addEventListener('change', () => alerts.setSound(el.sound.checked));
if (embedded) {
  document.body.classList.add('embedded');
  el.minimise.hidden = false;
  const minimise = () => window.parent.postMessage({ kefu: 'minimise' }, '*');
  el.minimise.addEventListener('click', minimise);
  minimiseOnEscape(minimise);
  // widget.js says when its panel opens or closes.
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || e.data?.kefu !== 'visible') return;
    panelOpen = !!e.data.visible;
    if (!panelOpen) return;
    seen();
    el.text.focus();
  });
}

focusReplyWhenShown(el.compose, el.text, () => !embedded || panelOpen);

languageButton(el.lang, () => {
  if (view.widget) drawPicker(el['team-list'], view.widget.teams, view.team?.id, (team) => set({ team }));
  thread.relabel();
  endChat.relabel();
  showUnseen();
  drawStars(el.stars);
  counter.update();
  render();
});
drawStars(el.stars);
el.name.value = page().name ?? '';
render();
// Which teams, open or not, before anything is typed; asked again every
// 30 s while the customer is on the start screen, so a team that opens
// (or whose last agent leaves) changes what the page offers.
async function loadTeams() {
  const widget = await fetchWidget(namedTeam);
  const chosen = view.team?.id ? widget?.teams.find((x) => x.id === view.team.id) ?? (widget?.team?.id === view.team.id ? widget.team : null) : null;
  set({ widget, team: chosen ?? chooseTeam(widget, namedTeam) });
  if (widget) drawPicker(el['team-list'], widget.teams, view.team?.id, (team) => set({ team }));
}
loadTeams();
setInterval(() => view.screen === 'start' && loadTeams(), 30_000);
// A returning customer (a reload, a new visit within a day) comes back as
// itself, to its place in the queue or its conversation.
if (savedToken(local, CLIENT_KEY)) {
  set({ screen: '' });
  connect(page().name ?? '');
}
