// Package racelog reads the race detector's reports from processes a test
// started, and tells kefu's races from the cluster library's own.
//
// Proto.Actor's cluster has data races of its own (its gossip actor and its
// membership provider share the block list and the gossip state without a
// lock; its remote's shutdown writes fields its readers read), so a -race
// build of a cluster member reports races that kefu can neither cause nor
// fix. Rather than give up -race, the tests run members with
// GORACE=log_path=DIR/race and fail on every report in which one of the
// two racing accesses is made by a function of kefu's (the top frame of its
// stack); the library's own, made inside its functions whoever called
// them, are counted and logged.
package racelog

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Env is the GORACE setting that writes a process's reports under dir.
// The exit code stays 0: a process's races are judged here, not by it.
func Env(dir string) string { return "GORACE=log_path=" + filepath.Join(dir, "race") + " exitcode=0" }

// Report is one race report.
type Report struct {
	Text string
	Ours bool // one of the racing accesses is made by a function of module kefu
}

// Read parses every report written under dir.
func Read(dir string) ([]Report, error) {
	files, err := filepath.Glob(filepath.Join(dir, "race.*"))
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, f := range files {
		reports, err := readFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, reports...)
	}
	return out, nil
}

const separator = "=================="

func readFile(path string) ([]Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Report
	var cur *strings.Builder
	top := false // the next frame is the top of an access's stack
	ours := false
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		line := s.Text()
		switch {
		case line == separator:
			if cur != nil && cur.Len() > 0 {
				out = append(out, Report{Text: cur.String(), Ours: ours})
			}
			cur, ours, top = &strings.Builder{}, false, false
			continue
		case cur == nil:
			continue
		case isAccessHeader(line):
			top = true
		case top && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "    "):
			// A frame's function line (its file line is indented deeper).
			ours = ours || strings.HasPrefix(strings.TrimSpace(line), "kefu/")
			top = false
		}
		cur.WriteString(line + "\n")
	}
	return out, s.Err()
}

func isAccessHeader(line string) bool {
	for _, p := range []string{"Read at", "Write at", "Previous read at", "Previous write at", "Atomic read at", "Atomic write at", "Previous atomic"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// Check fails t on every report in dir that involves kefu's code, and logs
// how many of the library's own it saw.
func Check(t testing.TB, dir string) {
	t.Helper()
	reports, err := Read(dir)
	if err != nil {
		t.Fatalf("race reports: %v", err)
	}
	library := 0
	for _, r := range reports {
		if r.Ours {
			t.Errorf("data race in kefu's code:\n%s", r.Text)
		} else {
			library++
		}
	}
	if library > 0 {
		t.Logf("%d data race reports inside the cluster library only (see internal/racelog)", library)
	}
}
