package loadtest

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows the run as it goes, once a second.
type progress interface {
	// update shows one sample in a phase ("ramp-up", "running",
	// "draining"); since is when the window opened.
	update(s Sample, phase string, since time.Time)
	finish()
}

// The phases the progress line names.
const (
	phaseRampUp   = "ramp-up"
	phaseRunning  = "running"
	phaseDraining = "draining"
)

// plainEvery is how often the plain progress line is printed when the
// output is not a terminal (a CI log, a file).
const plainEvery = 5 * time.Second

// progressOutput picks how to show progress: a live bar when stdout is a
// terminal, a plain line every few seconds on stderr when it is not, and
// nothing with -quiet.
func progressOutput(quiet bool, stdout, stderr io.Writer, window time.Duration) progress {
	switch f, ok := stdout.(*os.File); {
	case quiet:
		return noProgress{}
	case ok && term.IsTerminal(int(f.Fd())):
		return newBarProgress(f, window)
	default:
		return &plainProgress{w: stderr}
	}
}

type noProgress struct{}

func (noProgress) update(Sample, string, time.Time) {}
func (noProgress) finish()                          {}

// barProgress is the live line on a terminal: a bar over the measured
// window, with the counts as its description.
type barProgress struct {
	bar *progressbar.ProgressBar
}

func newBarProgress(w io.Writer, window time.Duration) *barProgress {
	return &barProgress{bar: progressbar.NewOptions64(int64(window/time.Second),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(20),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b *barProgress) update(s Sample, phase string, since time.Time) {
	b.bar.Describe(describe(s, phase))
	if phase == phaseRunning {
		_ = b.bar.Set64(int64(time.Since(since) / time.Second))
	}
}

func (b *barProgress) finish() {
	_ = b.bar.Clear()
	_ = b.bar.Exit()
}

// plainProgress prints a line every plainEvery.
type plainProgress struct {
	w    io.Writer
	last time.Time
}

func (p *plainProgress) update(s Sample, phase string, _ time.Time) {
	if time.Since(p.last) < plainEvery {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "loadtest %5.0fs  %s\n", s.T, describe(s, phase))
}

func (p *plainProgress) finish() {}

// describe is the progress line's text.
func describe(s Sample, phase string) string {
	return fmt.Sprintf("%s · connected %d · queued %d · assigned %d · %.0f msgs/s · p99 %.1f ms · errors %d",
		phase, s.Connected, s.Queued, s.Assigned, s.DeliveredPerSec, s.DeliveryP99Ms, s.Errors)
}
