// widget.js puts kefu's customer chat on any site with one tag:
//
//   <script src="https://KEFU/widget.js" async></script>
//
// data-team="tm_…" on the tag opens the chat on that team, with no picker.
//
// It adds a floating button that opens the widget (KEFU/embed) in an
// iframe. The chat runs inside the frame, on kefu's own origin: its code,
// its Content-Security-Policy, its storage and its socket stay apart from
// the host page, which only gets this button. This file runs in the host
// page, so it is a classic script with no imports, styles itself through
// the CSSOM (a host's CSP may forbid style sheets from elsewhere), and
// writes text only with textContent. docs/operations.md, "Embedding".
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src || window.kefuWidget) return;
  var origin = new URL(script.src).origin;
  var zh = String(navigator.language || '').toLowerCase().indexOf('zh') === 0;
  var text = zh
    // "Minimise", not "Close": beside the widget's own "End chat" a
    // "Close the chat" reads as ending it (issue #13, item 10).
    ? { open: '在线客服', close: '最小化', frame: 'kefu 在线客服', unread: '条新消息' }
    : { open: 'Chat with us', close: 'Minimise', frame: 'kefu customer service', unread: 'new messages' };
  var LAYER = '2147483000'; // above the host's own floating things

  function css(el, rules) {
    for (var k in rules) el.style[k] = rules[k];
    return el;
  }

  var panel = css(document.createElement('div'), {
    position: 'fixed', right: '16px', bottom: '84px', width: 'min(380px, calc(100vw - 32px))',
    height: 'min(620px, calc(100vh - 110px))', zIndex: LAYER, display: 'none', borderRadius: '12px',
    overflow: 'hidden', boxShadow: '0 8px 30px rgba(0,0,0,.25)', background: '#fff',
  });
  panel.id = 'kefu-widget-panel';
  var frame = css(document.createElement('iframe'), { width: '100%', height: '100%', border: '0', display: 'block' });
  var team = script.getAttribute('data-team');
  frame.src = origin + '/embed' + (team ? '?team=' + encodeURIComponent(team) : '');
  frame.title = text.frame;
  panel.appendChild(frame);

  var button = css(document.createElement('button'), {
    position: 'fixed', right: '16px', bottom: '16px', zIndex: LAYER, minHeight: '52px', padding: '0 20px',
    borderRadius: '26px', border: '0', background: '#1560d6', color: '#fff', font: '600 16px system-ui, sans-serif',
    boxShadow: '0 4px 14px rgba(0,0,0,.25)', cursor: 'pointer',
  });
  button.type = 'button';
  button.id = 'kefu-widget-button';
  button.setAttribute('aria-controls', panel.id);
  button.setAttribute('aria-expanded', 'false');
  var label = document.createElement('span');
  var badge = css(document.createElement('span'), {
    display: 'none', marginLeft: '8px', minWidth: '22px', padding: '0 6px', borderRadius: '11px',
    background: '#fff', color: '#b3261e', font: '700 13px/22px system-ui, sans-serif',
  });
  badge.id = 'kefu-widget-unread';
  button.appendChild(label);
  button.appendChild(badge);

  var open = false;
  var hostTitle = null; // the host page's own title, while ours shows a count

  // flagTitle puts the count of unseen lines before the host's title while
  // its tab is hidden, as the widget's own page does with its title, and
  // gives the title back when the tab is in view or the count is gone.
  function flagTitle(n) {
    if (n > 0 && document.hidden) {
      if (hostTitle === null) hostTitle = document.title;
      document.title = '(' + n + ') ' + hostTitle;
    } else if (hostTitle !== null) {
      document.title = hostTitle;
      hostTitle = null;
    }
  }
  function show(on) {
    open = on;
    panel.style.display = on ? 'block' : 'none';
    label.textContent = on ? text.close : text.open;
    button.setAttribute('aria-expanded', String(on));
    // The widget marks lines read only while someone can see them.
    frame.contentWindow && frame.contentWindow.postMessage({ kefu: 'visible', visible: on }, origin);
    if (on) frame.focus();
  }

  button.addEventListener('click', function () { show(!open); });
  // Esc on the button closes the open panel too; inside the frame the
  // widget itself asks with 'minimise' (the host never sees its keys).
  button.addEventListener('keydown', function (e) {
    if (open && (e.key === 'Escape' || e.key === 'Esc')) show(false);
  });
  document.addEventListener('visibilitychange', function () { if (!document.hidden) flagTitle(0); });
  frame.addEventListener('load', function () { show(open); });
  window.addEventListener('message', function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
    if (e.data.kefu === 'minimise') {
      show(false);
      button.focus();
    } else if (e.data.kefu === 'unread') {
      var n = Number(e.data.count) || 0;
      badge.textContent = String(n);
      badge.setAttribute('aria-label', n + ' ' + text.unread);
      badge.style.display = n > 0 ? 'inline-block' : 'none';
      flagTitle(n);
    }
  });

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(button);
    show(false);
  }
  window.kefuWidget = { open: function () { show(true); }, close: function () { show(false); } };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
