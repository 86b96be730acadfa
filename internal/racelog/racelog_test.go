package racelog

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

const sample = `==================
WARNING: DATA RACE
Read at 0x00c000102458 by goroutine 20:
  github.com/asynkron/protoactor-go/remote.(*BlockList).BlockedMembers()
      /x/blocklist.go:40 +0x1

Previous write at 0x00c000102458 by goroutine 53:
  github.com/asynkron/protoactor-go/remote.(*BlockList).Block()
      /x/blocklist.go:30 +0x1

Goroutine 20 (running) created at:
  kefu/nodes.Join()
      /work/nodes/member.go:43 +0x1
==================
==================
WARNING: DATA RACE
Write at 0x00c000056850 by main goroutine:
  github.com/asynkron/protoactor-go/remote.(*endpointManager).stop()
      /x/endpoint_manager.go:80 +0x1
  kefu/nodes.(*Member).Leave()
      /work/nodes/member.go:90 +0x1

Previous read at 0x00c000056850 by goroutine 83:
  github.com/asynkron/protoactor-go/remote.(*endpointManager).remoteDeliver()
      /x/endpoint_manager.go:120 +0x1
==================
==================
WARNING: DATA RACE
Write at 0x00c0001 by goroutine 7:
  kefu/nodes.(*grainProcess).deliver()
      /work/nodes/grain_process.go:70 +0x1

Previous read at 0x00c0001 by goroutine 8:
  github.com/asynkron/protoactor-go/actor.(*PID).ref()
      /x/pid.go:10 +0x1
==================
`

// A kefu frame only where a goroutine was created, or below the library's
// function that made the access, is the library's race; an access made by
// a kefu function is ours.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "race.123"), []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	reports, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ours []bool
	for _, r := range reports {
		ours = append(ours, r.Ours)
	}
	if !slices.Equal(ours, []bool{false, false, true}) {
		t.Fatalf("reports judged ours: %v, want [false false true]", ours)
	}
}
