// Keyboard and focus for the customer widget (issue #13, items 8 and 10):
// the reply box takes the focus when the chat begins, and Esc minimises an
// embedded widget's panel as the Minimise button does.

// focusReplyWhenShown moves the focus to box whenever compose goes from
// hidden to shown (the chat began: an agent took it, or a returning
// customer is back in it) while the focus is nowhere the customer put it:
// on the page itself, or on a control that was just hidden, such as
// "Start chat". allowed() says whether the page may take the focus now
// (embedded, only while widget.js's panel is open).
export function focusReplyWhenShown(compose, box, allowed) {
  let wasHidden = compose.hidden;
  new MutationObserver(() => {
    const shown = !compose.hidden;
    if (shown && wasHidden && focusLost() && allowed()) box.focus();
    wasHidden = !shown;
  }).observe(compose, { attributes: true, attributeFilter: ['hidden'] });
}

// focusLost says whether the focus is on no control the customer can see.
function focusLost() {
  const a = document.activeElement;
  return !a || a === document.body || a.getClientRects().length === 0;
}

// minimiseOnEscape calls minimise when Esc is pressed anywhere in the
// widget, unless something in the page used that Esc already (it called
// preventDefault, as a dialog closing itself does) or it ends an input
// method's composition, as it does while typing Chinese.
export function minimiseOnEscape(minimise) {
  window.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing || e.keyCode === 229) return;
    minimise();
  });
}
