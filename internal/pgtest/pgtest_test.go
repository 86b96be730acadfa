package pgtest

import (
	"testing"
)

// recorder is a testing.TB that records whether the test was failed or
// skipped, in the order it was asked.
type recorder struct {
	testing.TB
	calls []string
}

func (r *recorder) Helper()      {}
func (r *recorder) Fatal(...any) { r.calls = append(r.calls, "fatal") }
func (r *recorder) Skip(...any)  { r.calls = append(r.calls, "skip") }

// TestServerURL: with no server named, a test skips on a developer's
// machine and fails in CI, never skipping silently there.
func TestServerURL(t *testing.T) {
	for _, tc := range []struct {
		name, ci, url string
		want          string // first call: "fatal", "skip" or "" for none
	}{
		{"OKSet", "true", "postgres://127.0.0.1:1/x", ""},
		{"SkipLocally", "", "", "skip"},
		{"FailInCI", "true", "", "fatal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			t.Setenv(EnvURL, tc.url)
			r := &recorder{TB: t}
			got := ServerURL(r)
			first := ""
			if len(r.calls) > 0 {
				first = r.calls[0]
			}
			if first != tc.want || (tc.url != "" && got != tc.url) {
				t.Fatalf("ServerURL=%q with calls %v, want %q first", got, r.calls, tc.want)
			}
		})
	}
}
