package static

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// nodeBudget bounds the whole node run; the tests themselves take
// milliseconds, on a hand-driven clock.
const nodeBudget = time.Minute

// TestClientModule runs kefu-client.js's unit tests (test/*.test.js) under
// node, so that go test covers them. Without node they are skipped: the
// browser tests (browsertest/) drive the same module in Chromium.
func TestClientModule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; browsertest/ covers kefu-client.js in a browser")
	}
	files, err := filepath.Glob("test/*.test.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files under static/test (%v)", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), nodeBudget)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, append([]string{"--test"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
}
