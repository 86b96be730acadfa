package limit

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// chanHandler sends every record to a channel, for tests to wait on.
type chanHandler struct{ c chan slog.Record }

func (h chanHandler) Enabled(context.Context, slog.Level) bool      { return true }
func (h chanHandler) Handle(_ context.Context, r slog.Record) error { h.c <- r; return nil }
func (h chanHandler) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h chanHandler) WithGroup(string) slog.Handler                 { return h }

func attr(r slog.Record, key string) (slog.Value, bool) {
	var v slog.Value
	found := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v, found = a.Value, true
			return false
		}
		return true
	})
	return v, found
}

func TestOffences(t *testing.T) {
	t.Run("OKDroppedReported", func(t *testing.T) {
		records := make(chan slog.Record, 100)
		o := NewOffences(slog.New(chanHandler{records}), Rate{Limit: 1.0 / 3600, Burst: 2})
		o.reportAfter = 10 * time.Millisecond
		defer o.Close()
		for range 5 {
			o.Record(FrameRate, "remote", "192.0.2.1")
		}
		for i := range 2 {
			r := <-records // sent before Record returned
			if got, want := r.Message, "limit exceeded"; got != want {
				t.Fatalf("line %d=%q, want %q", i+1, got, want)
			}
			if v, _ := attr(r, "limit"); v.String() != "frame_rate" {
				t.Fatalf("line %d limit=%v, want frame_rate", i+1, v)
			}
		}
		select {
		case r := <-records:
			if got, want := r.Message, "limit exceeded: log lines dropped"; got != want {
				t.Fatalf("report=%q, want %q", got, want)
			}
			if v, _ := attr(r, "dropped"); v.Int64() != 3 {
				t.Fatalf("dropped=%v, want 3", v)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no report of the dropped lines")
		}
		if got, want := o.Get(FrameRate), uint64(5); got != want {
			t.Fatalf("counted %d, want %d: every offence counts, logged or not", got, want)
		}
		if got, want := o.Snapshot()["frame_rate"], uint64(5); got != want {
			t.Fatalf("Snapshot frame_rate=%d, want %d", got, want)
		}
	})
	t.Run("OKCloseReports", func(t *testing.T) {
		records := make(chan slog.Record, 100)
		o := NewOffences(slog.New(chanHandler{records}), Rate{Limit: 1.0 / 3600, Burst: 1})
		o.Record(LoginName)
		o.Record(LoginName)
		<-records
		o.Close()
		select {
		case r := <-records:
			if v, _ := attr(r, "dropped"); v.Int64() != 1 {
				t.Fatalf("dropped=%v, want 1", v)
			}
		default:
			t.Fatal("Close did not report the dropped line")
		}
	})
	t.Run("OKNil", func(t *testing.T) {
		var o *Offences
		o.Record(Capacity) // must not panic
		o.Close()
	})
}
