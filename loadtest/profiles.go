package loadtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// windowProfiles takes the server's profiles over exactly the measured
// window, from its net/http/pprof (kefu serve -pprof-addr): a CPU profile
// from the opening, allocations at the opening and at the close (compare
// them with pprof -base), and the heap at the close. A profile over the
// whole run would mostly show the ramp's logins and hellos.
type windowProfiles struct {
	base, dir string
	client    *http.Client
	cpu       chan error // the CPU profile's outcome
	openErr   error      // the opening's allocations profile's
}

// profileMargin ends the CPU profile before the window does: the harness
// closes the window on its own clock, and a profile still running then
// would take in the drain.
const profileMargin = 2 * time.Second

// startProfiles begins the window's profiles; nil when none were asked.
func startProfiles(base, dir string, window time.Duration) *windowProfiles {
	if base == "" {
		return nil
	}
	p := &windowProfiles{base: base, dir: cmp.Or(dir, "."), client: &http.Client{}, cpu: make(chan error, 1)}
	secs := max(1, int((window - profileMargin).Seconds()))
	go func() {
		p.cpu <- p.fetch(fmt.Sprintf("profile?seconds=%d", secs), "cpu.pb.gz", time.Duration(secs)*time.Second)
	}()
	p.openErr = p.fetch("allocs", "allocs-open.pb.gz", 0)
	return p
}

// finish takes the close's profiles, waits for the CPU profile, and says
// what failed, if anything.
func (p *windowProfiles) finish() []string {
	if p == nil {
		return nil
	}
	errs := []error{p.openErr}
	for _, f := range []struct{ path, file string }{{"heap?gc=1", "heap.pb.gz"}, {"allocs", "allocs-close.pb.gz"}} {
		errs = append(errs, p.fetch(f.path, f.file, 0))
	}
	errs = append(errs, <-p.cpu)
	var notes []string
	for _, err := range errs {
		if err != nil {
			notes = append(notes, "server profile: "+err.Error())
		}
	}
	return append(notes, "server profiles of the window in "+p.dir)
}

// fetch saves base/debug/pprof/path as dir/file; takes is how long the
// profile itself runs.
func (p *windowProfiles) fetch(path, file string, takes time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), takes+30*time.Second)
	defer cancel()
	url := p.base + "/debug/pprof/" + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.Create(filepath.Join(p.dir, file))
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return f.Close()
}
