package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// AskStats asks every pool's dispatcher for its counts (GetStats), all at
// once, and returns their sum (Stats.Add): the routing state of the node
// as one dispatcher used to count it. It fails if any dispatcher does not
// answer within timeout. It blocks: for HTTP handlers and tests, never an
// actor's Receive.
func AskStats(root *actor.RootContext, dir Directory, timeout time.Duration) (*Stats, error) {
	pools := Pools()
	futures := make([]*actor.Future, len(pools))
	for i, p := range pools {
		futures[i] = root.RequestFuture(dir.PID(KindDispatcher, DispatcherID(p)), &GetStats{}, timeout)
	}
	sum := &Stats{}
	for i, f := range futures {
		res, err := f.Result()
		if err != nil {
			return nil, fmt.Errorf("%s dispatcher: %w", pools[i], err)
		}
		s, ok := res.(*Stats)
		if !ok {
			return nil, fmt.Errorf("%s dispatcher: answered %T", pools[i], res)
		}
		sum.Add(s)
	}
	return sum, nil
}
