// Package leaktest is the goroutine-leak check shared by the packages whose
// tests run actor systems, sockets or whole servers. Only tests import it.
package leaktest

import (
	"testing"

	"go.uber.org/goleak"
)

// protoactorThrottle is the goroutine protoactor's dead-letter log throttle
// starts on the first dead letter of each period (actor/throttler.go): it
// waits out DeadLetterThrottleInterval (1 s) on a ticker, then exits. It
// cannot be stopped (ActorSystem.Shutdown does not know of it), so the
// dead letters of the last tests leave it running for up to a second after
// them. Its name depends on inlining, hence both forms.
var protoactorThrottle = []string{
	"github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1",
	"github.com/asynkron/protoactor-go/actor.NewThrottle.func1.1",
}

// Options are the goleak options every kefu test package uses: only
// third-party goroutines that cannot be stopped are ignored.
func Options() []goleak.Option {
	var opts []goleak.Option
	for _, fn := range protoactorThrottle {
		opts = append(opts, goleak.IgnoreTopFunction(fn))
	}
	return opts
}

// VerifyTestMain runs the package's tests, then fails the run if any
// goroutine they started is still running.
func VerifyTestMain(m *testing.M) { goleak.VerifyTestMain(m, Options()...) }
