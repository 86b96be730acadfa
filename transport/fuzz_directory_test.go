package transport

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/actors"
)

// sessionDir is a fuzz session's own directory inside the actor system all
// sessions share: every id gets the session's prefix, so each session has
// its own dispatcher and store writer under the usual names, and nothing a
// session leaves behind can reach the next. (An actor system costs
// megabytes to make; one per input would measure the allocator.) It also
// watches every actor spawned through it, which is every actor of the
// session, so the test can wait for them all to be idle or gone.
type sessionDir struct {
	inner  *actors.LocalDirectory
	root   *actor.RootContext
	prefix string

	mu      sync.Mutex
	spawned []*tracked
}

// tracked is one actor of the session.
type tracked struct {
	pid  *actor.PID
	gone chan struct{} // closed once the actor has stopped
}

var _ actors.Directory = (*sessionDir)(nil)

// PID implements actors.Directory.
func (d *sessionDir) PID(kind actors.Kind, id string) *actor.PID {
	return d.inner.PID(kind, d.prefix+id)
}

// Spawn implements actors.Directory.
func (d *sessionDir) Spawn(kind actors.Kind, id string, props *actor.Props) (*actor.PID, error) {
	pid, err := d.inner.Spawn(kind, d.prefix+id, props)
	if err != nil {
		return nil, err
	}
	a := &tracked{pid: pid, gone: make(chan struct{})}
	// Watching an actor that has already stopped answers Terminated at
	// once, so one that stops straight away is seen too.
	d.root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Watch(pid)
		case *actor.Terminated:
			close(a.gone)
			ctx.Stop(ctx.Self())
		}
	}))
	d.mu.Lock()
	d.spawned = append(d.spawned, a)
	d.mu.Unlock()
	return pid, nil
}

// Activate implements actors.Directory. The inner directory's kinds spawn
// through this one (Kinds.Dir), which adds the prefix and tracks the actor.
func (d *sessionDir) Activate(kind actors.Kind, id string, start any) (*actor.PID, error) {
	return d.inner.Activate(kind, id, start)
}

// all returns every actor spawned so far, stopped ones included.
func (d *sessionDir) all() []*tracked {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.spawned[:len(d.spawned):len(d.spawned)]
}

// find returns the tracked actor pid names.
func (d *sessionDir) find(pid *actor.PID) *tracked {
	for _, a := range d.all() {
		if a.pid.Equal(pid) {
			return a
		}
	}
	return nil
}
