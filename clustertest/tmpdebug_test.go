package clustertest

import (
	"strings"
	"testing"
	"time"
)

func TestTmpPauseNotDispatcher(t *testing.T) {
	s := newCluster(t)
	runLoad(t, s, func() {
		d := s.owner("dispatcher", "native")
		i := s.busiestNode(t)
		if i == d {
			i = (i + 1) % len(s.nodes)
		}
		s.pause(i)
		<-time.After(pauseFor)
		s.resume(i)
		p := s.nodes[i].current()
		select {
		case <-p.Exited():
		case <-time.After(20 * time.Second):
			t.Fatalf("node%d still running after its lease ran out", i)
		}
		if !strings.Contains(p.Log.String(), "lease lost") {
			t.Errorf("node%d exited without saying its lease was lost:\n%s", i, p.Log)
		}
	})
}
