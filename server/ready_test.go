package server

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/actors"
)

// muteDirectory sends whatever is meant for the dispatcher to an actor
// that never answers, while mute is set: a dispatcher stuck in a loop.
type muteDirectory struct {
	actors.Directory
	mute atomic.Bool
	sink *actor.PID // set before mute
}

func (d *muteDirectory) PID(kind actors.Kind, id string) *actor.PID {
	if kind == actors.KindDispatcher && d.mute.Load() {
		return d.sink
	}
	return d.Directory.PID(kind, id)
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// TestReadyz: ready while the store and the dispatcher answer; 503 naming
// the one that does not.
func TestReadyz(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts := startServer(t, Config{})
		status, body := getBody(t, "http://"+ts.Addr()+"/readyz")
		if status != http.StatusOK || body != "ready\n" {
			t.Fatalf("readyz=%d %q, want 200 \"ready\\n\"", status, body)
		}
	})
	t.Run("ErrDispatcherStuck", func(t *testing.T) {
		var dir *muteDirectory
		ts := startServer(t, Config{wrapDirectory: func(d actors.Directory) actors.Directory {
			dir = &muteDirectory{Directory: d}
			return dir
		}})
		sink, err := dir.Spawn(actors.KindDispatcher, "stuck", actor.PropsFromFunc(func(actor.Context) {}))
		if err != nil {
			t.Fatal(err)
		}
		dir.sink = sink
		dir.mute.Store(true)
		status, body := getBody(t, "http://"+ts.Addr()+"/readyz")
		if status != http.StatusServiceUnavailable || body != "not ready: dispatcher unavailable\n" {
			t.Fatalf("readyz=%d %q, want 503 naming the dispatcher", status, body)
		}
		dir.mute.Store(false)
		if status, _ := getBody(t, "http://"+ts.Addr()+"/readyz"); status != http.StatusOK {
			t.Fatalf("readyz=%d once the dispatcher answers again, want 200", status)
		}
	})
	t.Run("ErrStore", func(t *testing.T) {
		ts := startServer(t, Config{})
		if err := ts.Store().Close(); err != nil {
			t.Fatal(err)
		}
		status, body := getBody(t, "http://"+ts.Addr()+"/readyz")
		if status != http.StatusServiceUnavailable || body != "not ready: store unavailable\n" {
			t.Fatalf("readyz=%d %q, want 503 naming the store", status, body)
		}
	})
}
