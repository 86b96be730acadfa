package loadtest

import (
	"math/rand/v2"
	"time"
)

// churn runs during the window: every ChurnEvery it tells a random
// fraction of the clients to drop their socket and resume. It picks from
// all clients; one not connected at that moment ignores the order, so the
// share dropped is of the connected ones, give or take those between
// connections.
func churn(h *harness, cl *clients) {
	drops := make([]chan struct{}, 0, len(cl.customers)+len(cl.agents))
	for _, c := range cl.customers {
		drops = append(drops, c.drop)
	}
	for _, a := range cl.agents {
		drops = append(drops, a.drop)
	}
	t := time.NewTicker(h.cfg.ChurnEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			n := int(h.cfg.Churn * float64(len(drops)))
			for _, i := range rand.Perm(len(drops))[:n] {
				select {
				case drops[i] <- struct{}{}:
				default: // one order already waits
				}
			}
		}
	}
}
