// Attachments in the widget and the console (issue 19): a file pasted,
// dropped on the chat or chosen with the paperclip is uploaded over HTTP
// (POST api/uploads, the caller's token as a bearer token) and then sent
// as a message that names it (kefu-client's send with the reference the
// upload answered). A message's file shows as a picture (fetched with the
// token and shown from a data: URL, which the pages' CSP allows) or as a
// link that downloads it. A refused file is never sent; the person is told
// why in the chat.

import { h } from './ui.js';
import { t } from './i18n.js';
import { errorText } from './error-text.js';

let token = () => '';

// useToken sets where the pages' token comes from: the customer's resume
// token, or the agent's login token.
export function useToken(get) {
  token = get;
}

// upload sends file to conv and resolves to {ref, name}, or to {code} when
// it is refused (before sending, if larger than maxBytes) or fails.
export async function upload(conv, file, maxBytes) {
  if (maxBytes && file.size > maxBytes) return { code: 'too_large' };
  if (file.size === 0) return { code: 'empty_file' };
  const q = new URLSearchParams({ conv, name: file.name || 'file' });
  try {
    const res = await fetch(`api/uploads?${q}`, {
      method: 'POST', body: file, cache: 'no-store',
      headers: { Authorization: 'Bearer ' + token(), 'Content-Type': 'application/octet-stream' },
    });
    const body = await res.json().catch(() => null);
    if (res.status === 201 && body?.file) return { ref: body.file, name: body.name };
    return { code: body?.code ?? 'network' };
  } catch {
    return { code: 'network' };
  }
}

// refusedText is what a person is told when file was not sent.
export function refusedText(name, code, maxBytes) {
  if (code === 'too_large' && maxBytes) return t('file.tooLarge', { name, max: sizeText(maxBytes) });
  return t('file.refused', { name, why: errorText(code) });
}

// sizeText is a size in bytes as people read it.
export function sizeText(n) {
  if (n >= 1 << 20) return `${Math.round((n / (1 << 20)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

// filesFrom wires the ways a person gives files: a paste into textarea, a
// drop on zone, the picker button and its file input. onFiles gets each
// batch as an array.
export function filesFrom({ textarea, zone, button, input }, onFiles) {
  textarea.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return; // text: pasted as usual
    e.preventDefault();
    onFiles(files);
  });
  zone.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    zone.classList.add('dropping');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dropping'));
  zone.addEventListener('drop', (e) => {
    zone.classList.remove('dropping');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    onFiles(files);
  });
  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = ''; // the same file may be chosen again
    if (files.length > 0) onFiles(files);
  });
}

const pictures = new Map(); // blob → a promise of its data: URL

// fileView is the element that shows a message's file: a picture inline,
// anything else a link that downloads it.
export function fileView(file) {
  if (file.type?.startsWith('image/')) {
    const img = h('img', { class: 'file-picture', alt: file.name });
    picture(file.blob).then((url) => { img.src = url; }, () => img.replaceWith(link(file)));
    return h('span', { class: 'text file' }, img, h('span', { class: 'file-name', text: file.name }));
  }
  return h('span', { class: 'text file' }, link(file));
}

function link(file) {
  const a = h('a', { class: 'file-link', href: '#', download: file.name, text: `${file.name} (${sizeText(file.size ?? 0)})` });
  a.addEventListener('click', async (e) => {
    if (a.dataset.ready) return; // the object URL is set: the browser downloads
    e.preventDefault();
    const res = await fetchFile(file.blob).catch(() => null);
    if (!res) {
      a.title = t('file.failed');
      return;
    }
    a.href = URL.createObjectURL(await res.blob());
    a.dataset.ready = '1';
    a.click();
  });
  return a;
}

function picture(blob) {
  let p = pictures.get(blob);
  if (!p) {
    p = fetchFile(blob).then((res) => res.blob()).then((b) => new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result);
      r.onerror = () => reject(r.error);
      r.readAsDataURL(b);
    }));
    p.catch(() => pictures.delete(blob)); // asked again next time
    pictures.set(blob, p);
  }
  return p;
}

async function fetchFile(blob) {
  const res = await fetch(`api/files/${encodeURIComponent(blob)}`, { headers: { Authorization: 'Bearer ' + token() } });
  if (!res.ok) throw new Error(String(res.status));
  return res;
}

// sendFiles uploads files to conv one after the other and sends each as a
// message (send(conv, name, ref) returns its cid), showing it as on its
// way in thread; a refused one is not sent, and thread says why.
export async function sendFiles(files, { conv, maxBytes, thread, me, send }) {
  for (const file of files) {
    const name = file.name || 'file';
    const line = thread.notice(t('file.uploading', { name }));
    const r = await upload(conv, file, maxBytes);
    line.remove();
    if (r.ref) {
      const cid = send(conv, r.name, r.ref);
      if (cid) thread.pending(cid, r.name, me);
    } else {
      thread.notice(refusedText(name, r.code, maxBytes)).classList.add('refused');
    }
    thread.scrollToEnd();
  }
}
