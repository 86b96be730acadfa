// The agent and customer pages of the tutorial's protocol ("compat").
// <body data-role> says which page this is: "kefu" (agent) or "yonghu"
// (customer). The two differ only in how they start: a customer first asks
// /getroom for a free agent.
//
// Wire format: we send {"neiRong": text}; the server sends
// {"neiRong": text, "shuiFaDe": sender}, our own lines included. Everything
// the server sends is shown with textContent, never parsed as HTML.

const role = document.body.dataset.role;

const SYSTEM = '系统'; // sender of the server's notices
const COMMAND = 'code'; // sender of the server's commands
const CLOSE = 'close'; // the one command: the agent left, hang up

// Close codes the server uses for the end of a chat (actors/disconnect.go).
const CLOSE_NORMAL = 1000;
const CLOSE_AGENT_LEFT = 4001;

const el = Object.fromEntries(
  ['start', 'start-form', 'name', 'connect', 'chat', 'me', 'messages',
    'compose', 'text', 'send', 'leave', 'status']
    .map((id) => [id, document.getElementById(id)]));

let ws = null; // the open socket, or null
let me = ''; // our display name, as the server echoes it
let leaving = false; // we pressed Leave
let agentLeft = false; // the server said the agent left

function setStatus(text, isError = false) {
  el.status.textContent = text;
  el.status.classList.toggle('error', isError);
}

function showChat(on) {
  el.start.hidden = on;
  el.chat.hidden = !on;
  document.body.classList.toggle('chatting', on);
}

function socketURL(name) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/compat?type=${role}&name=${encodeURIComponent(name)}`;
}

// askForRoom asks the server for a free agent and says whether one is
// reserved for us; when not, the status line tells the user why.
async function askForRoom(name) {
  setStatus('正在寻找空闲客服… · Looking for a free agent…');
  let answer;
  try {
    const res = await fetch('/getroom?userName=' + encodeURIComponent(name), { cache: 'no-store' });
    answer = await res.json();
    if (!res.ok) throw new Error(answer.error || res.statusText);
  } catch (err) {
    setStatus(`无法连接客服 · Cannot reach the service: ${err.message}`, true);
    return false;
  }
  if (!answer.room) {
    setStatus('暂无空闲客服，请稍后再试。 · No agent is free right now, please try again in a moment.', true);
    return false;
  }
  return true;
}

async function start(event) {
  event.preventDefault();
  const name = el.name.value.trim();
  if (!name || ws) return;
  el.connect.disabled = true;
  if (role === 'yonghu' && !(await askForRoom(name))) {
    el.connect.disabled = false;
    return;
  }
  open(name);
}

function open(name) {
  me = name;
  leaving = agentLeft = false;
  setStatus('正在连接… · Connecting…');
  const sock = new WebSocket(socketURL(name));
  ws = sock;
  sock.onopen = () => {
    el.messages.replaceChildren();
    el.me.textContent = name;
    setStatus(role === 'kefu'
      ? '已上线，等待用户接入… · Online, waiting for a customer…'
      : '已连接 · Connected');
    showChat(true);
    el.text.focus();
  };
  sock.onmessage = (event) => receive(sock, event.data);
  sock.onclose = (event) => closed(sock, event);
}

function receive(sock, data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    return; // not the tutorial's protocol; nothing to show
  }
  if (typeof m.neiRong !== 'string' || typeof m.shuiFaDe !== 'string') return;
  if (m.shuiFaDe === COMMAND) {
    if (m.neiRong === CLOSE) {
      agentLeft = true;
      sock.close(CLOSE_NORMAL);
    }
    return;
  }
  addLine(m.shuiFaDe, m.neiRong);
  if (m.shuiFaDe === SYSTEM) followNotice(m.neiRong);
}

// followNotice keeps the status line in step with the room, from the
// tutorial's fixed wording of its notices.
function followNotice(text) {
  let who;
  if ((who = text.match(/^用户-(.*)-已进入房间$/s))) {
    setStatus(`正在为用户 ${who[1]} 服务 · Chatting with customer ${who[1]}`);
  } else if ((who = text.match(/^用户-(.*)-已退出房间$/s))) {
    setStatus(`用户 ${who[1]} 已离开，等待下一位用户… · ${who[1]} left; waiting for the next customer…`);
  } else if ((who = text.match(/^客服-(.*)-将为您服务$/s))) {
    setStatus(`客服 ${who[1]} 正在为您服务 · Agent ${who[1]} is serving you`);
  }
}

// addLine shows one line; the tutorial's protocol names senders only by
// display name, so a line is ours when it carries our name.
function addLine(from, text) {
  const item = document.createElement('li');
  item.className = 'msg';
  if (from === SYSTEM) item.classList.add('system');
  else if (from === me) item.classList.add('mine');
  const who = document.createElement('span');
  who.className = 'from';
  who.textContent = from;
  const body = document.createElement('p');
  body.className = 'text';
  body.textContent = text;
  item.append(who, body);
  el.messages.append(item);
  el.messages.scrollTop = el.messages.scrollHeight;
}

function closed(sock, event) {
  if (sock !== ws) return;
  ws = null;
  showChat(false);
  el.connect.disabled = false;
  if (agentLeft || event.code === CLOSE_AGENT_LEFT) {
    setStatus('客服已离开，对话已结束。 · The agent left; the chat has ended.', true);
  } else if (leaving) {
    setStatus('您已离开对话。 · You left the chat.');
  } else {
    const reason = event.reason || (event.code === 1006 ? 'connection lost' : 'closed');
    setStatus(`连接已断开 · Disconnected: ${reason} (${event.code})`, true);
  }
}

function send(event) {
  event.preventDefault();
  const text = el.text.value;
  if (!text.trim() || !ws || ws.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify({ neiRong: text }));
  el.text.value = '';
  el.text.focus();
}

function leave() {
  if (!ws) return;
  leaving = true;
  ws.close(CLOSE_NORMAL);
}

el['start-form'].addEventListener('submit', start);
el.compose.addEventListener('submit', send);
el.leave.addEventListener('click', leave);
el.text.addEventListener('keydown', (event) => {
  // Enter sends, Shift+Enter is a new line; an IME composing Chinese
  // keeps its Enter.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    el.compose.requestSubmit();
  }
});
