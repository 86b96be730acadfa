package loadtest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWindowProfiles: the CPU profile covers the window less its margin,
// the four files land in the directory, and a profile the server refuses
// becomes a note rather than a failed run.
func TestWindowProfiles(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.RequestURI())
		mu.Unlock()
		if r.URL.Path == "/debug/pprof/heap" {
			http.Error(w, "no heap here", http.StatusNotFound)
			return
		}
		w.Write([]byte(r.URL.RequestURI()))
	}))
	defer srv.Close()
	dir := t.TempDir()
	p := startProfiles(srv.URL, dir, 10*time.Second)
	notes := p.finish()
	for _, f := range []string{"cpu.pb.gz", "allocs-open.pb.gz", "allocs-close.pb.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "cpu.pb.gz")); string(b) != "/debug/pprof/profile?seconds=8" {
		t.Errorf("CPU profile asked as %q, want 8 s of a 10 s window", b)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "404") || !strings.Contains(notes[1], dir) {
		t.Errorf("notes %q, want the heap's 404 and where the profiles are", notes)
	}
	if startProfiles("", dir, time.Second).finish() != nil {
		t.Error("profiles noted when none were asked")
	}
}
