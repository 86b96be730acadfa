// Package browsertest drives the chat pages in a real headless Chromium
// against a real in-process server: the tutorial's own pages (rebuilt from
// its document) and ours.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"kefu/auth"
	"kefu/internal/pgtest"
	"kefu/server"
)

const (
	// browserBudget bounds one test's whole browser session, start to end.
	browserBudget = 50 * time.Second
	// stepTimeout bounds one wait for the page to show something; a chat
	// line arrives in milliseconds, so this only matters when it never does.
	stepTimeout = 10 * time.Second
	// screenshotDir is where KEFU_SCREENSHOTS=1 writes the pages' pictures.
	screenshotDir = "../docs/screenshots"
)

// startServer runs a kefu on loopback ports until the test ends. cfg's
// addresses and a fresh store are filled in when empty.
func startServer(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.DataDir == "" && cfg.Store == "" { // a fresh store
		cfg.DataDir, cfg.Store = t.TempDir(), pgtest.FreshStore(t)
	}
	if cfg.Passwords == (auth.Hasher{}) {
		cfg.Passwords = testPasswords
	}
	cfg.Log = slog.New(slog.NewTextHandler(t.Output(), nil))
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with: %v", err)
		}
	})
	return srv
}

// waitAgentsFree waits until the dispatcher has n free agents. A compat
// agent's page learns nothing when the server admits it, so its socket
// opening does not prove that /getroom can offer it yet.
func waitAgentsFree(t *testing.T, srv *server.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := srv.Stats(stepTimeout)
		if err == nil && st.FreeAgents == n {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("dispatchers never had %d free agents (last: %+v, %v)", n, st, err)
		case <-tick.C:
		}
	}
}

// chromiumPath finds Debian's chromium. Without it the browser tests fail,
// since a skipped test would pass CI unnoticed; -short skips them instead.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if testing.Short() {
			t.Skip("chromium is not installed; skipping the browser test in -short mode")
		}
		t.Fatalf("chromium is not installed (%v): `sh .ci/install-chromium.sh` installs it", err)
	}
	return path
}

// browser is one headless Chromium with a tab per person in the test. It
// records what no page should ever do: open a dialog, throw an uncaught
// exception, or log an error (a CSP violation is one); the test fails on
// any of them.
type browser struct {
	t        *testing.T
	root     context.Context // the browser's first tab; new tabs open from it
	closers  []context.CancelFunc
	watchers sync.WaitGroup

	mu       sync.Mutex
	problems []string
	refusals []refusal // load failures a test provokes on purpose
}

// refusal is an HTTP answer a test expects a page to get: Chromium logs
// every failed load as an error, handled by the page or not.
type refusal struct {
	path   string // in the URL
	status int
}

// expectRefusal lets a page's request to a URL with path fail with status
// without failing the test: the test provokes it, and checks what the
// page shows.
func (b *browser) expectRefusal(path string, status int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refusals = append(b.refusals, refusal{path, status})
}

// expected reports whether m is the log of a refusal the test expects.
func (b *browser) expected(m chromedp.ConsoleMessage) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.refusals {
		if strings.Contains(m.URL, r.path) && strings.Contains(m.Text, fmt.Sprintf("status of %d", r.status)) {
			return true
		}
	}
	return false
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// The pages pick their language from the browser's; the tests
		// read English.
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(900, 700),
	)
	budget, cancelBudget := context.WithTimeout(context.Background(), browserBudget)
	alloc, cancelAlloc := chromedp.NewExecAllocator(budget, opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	b := &browser{t: t, root: root}
	// Runs before t.TempDir removes the profile: the browser must be gone.
	t.Cleanup(func() {
		for _, closeTab := range b.closers {
			closeTab()
		}
		_ = chromedp.Cancel(root)
		cancelRoot()
		cancelAlloc()
		cancelBudget()
		b.watchers.Wait()
		b.check()
	})
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("cannot start %s: %v", path, err)
	}
	return b
}

func (b *browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// check fails the test for every problem recorded so far, once.
func (b *browser) check() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Error(p)
	}
	b.problems = nil
}

// tab is one browser tab: one person in the chat.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context
}

// newTab opens a tab in its own window (a hidden tab gets no animation
// frames, and Poll waits on them) and starts watching its console and
// dialogs.
func (b *browser) newTab(name string, opts ...chromedp.ContextOption) *tab {
	b.t.Helper()
	return b.attach(name, b.root, opts...)
}

// attach opens a context under parent (a new tab, or with WithTargetID an
// existing target such as another site's iframe) and watches it as newTab
// says.
func (b *browser) attach(name string, parent context.Context, opts ...chromedp.ContextOption) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(parent, opts...)
	b.closers = append(b.closers, cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: cannot open a tab: %v", name, err)
	}
	console := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	b.watchers.Add(2)
	go func() {
		defer b.watchers.Done()
		for m, err := range console {
			if err != nil {
				return
			}
			if (m.IsException() || m.Type == chromedp.ConsoleError) && !b.expected(m) {
				b.problem("%s: page console: %s (%s:%d)", name, m, m.URL, m.Line+1)
			}
		}
	}()
	go func() {
		defer b.watchers.Done()
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.problem("%s: the page opened a dialog (%s): %q", name, ev.Type, ev.Message)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return &tab{t: b.t, name: name, ctx: ctx}
}

// newPerson opens a tab with storage of its own, as another person's
// browser would have: the native pages keep who they are in localStorage,
// which tabs of one profile share.
func (b *browser) newPerson(name string) *tab {
	b.t.Helper()
	return b.newTab(name, chromedp.WithNewBrowserContext())
}

// do runs actions in the tab and fails the test if one fails.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v\npage shows:\n%s", tb.name, err, tb.pageText())
	}
}

// waitUntil waits until the JavaScript expression is truthy in the tab.
func (tb *tab) waitUntil(what, expr string) {
	tb.t.Helper()
	err := chromedp.Do(tb.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		tb.t.Fatalf("%s: waited for %s: %v\npage shows:\n%s", tb.name, what, err, tb.pageText())
	}
}

// waitText waits until an element matching sel has exactly text as its
// textContent.
func (tb *tab) waitText(sel, text string) {
	tb.t.Helper()
	tb.waitUntil(fmt.Sprintf("%s %q", sel, text), fmt.Sprintf(
		`Array.from(document.querySelectorAll(%s)).some((e) => e.textContent === %s)`, jsString(sel), jsString(text)))
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s: evaluating %s: %v", tb.name, expr, err)
	}
	return v
}

// pageText is what the page shows, for failure messages.
func (tb *tab) pageText() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return fmt.Sprintf("(cannot read the page: %v)", err)
	}
	return text
}

// screenshot saves the tab's viewport as docs/screenshots/NAME.png, only
// when KEFU_SCREENSHOTS=1, so that ordinary runs leave tracked files alone.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if os.Getenv("KEFU_SCREENSHOTS") != "1" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("%s: screenshot %s: %v", tb.name, name, err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	file := filepath.Join(screenshotDir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("wrote %s", file)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // unreachable: a string always encodes
	}
	return string(b)
}

// visible is a JavaScript expression true when the element with id is
// displayed.
func visible(id string) string {
	return fmt.Sprintf(`(() => { const e = document.getElementById(%s); return !!e && e.getClientRects().length > 0; })()`, jsString(id))
}

// fetched is a condition: the page has had an answer for every path (a
// resource timing entry is recorded when a fetch completes).
func fetched(paths ...string) string {
	js, _ := json.Marshal(paths)
	return fmt.Sprintf(`%s.every((p) => performance.getEntriesByType("resource").some((e) => new URL(e.name).pathname.endsWith("/" + p)))`, js)
}

// port returns the port of a host:port address.
func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("bad address %q: %v", addr, err)
	}
	return p
}

// pressEnter presses Enter as a keyboard does: one keyDown that carries the
// text, so a page that cancels the keydown also stops the newline.
// chromedp.KeyEvent sends the text as a separate char event, which Chromium
// delivers even after the keydown was cancelled.
func pressEnter(mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		key := input.DispatchKeyEventParams{
			Type:                  input.DispatchKeyEventTypeKeyDown,
			Key:                   "Enter",
			Code:                  "Enter",
			WindowsVirtualKeyCode: 13,
			NativeVirtualKeyCode:  13,
			Text:                  "\r",
			UnmodifiedText:        "\r",
		}
		for _, m := range mods {
			key.Modifiers |= int64(m)
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, key); err != nil {
			return err
		}
		key.Type, key.Text, key.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, key)
		return err
	})
}
