package racelog

import (
	"os"
	"path/filepath"
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
Write at 0x00c0001 by goroutine 7:
  kefu/nodes.(*grainProcess).deliver()
      /work/nodes/grain_process.go:70 +0x1

Previous read at 0x00c0001 by goroutine 8:
  github.com/asynkron/protoactor-go/actor.(*PID).ref()
      /x/pid.go:10 +0x1
==================
`

// A kefu frame only where a goroutine was created is the library's race;
// a kefu frame in an access is ours.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "race.123"), []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	reports, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].Ours || !reports[1].Ours {
		t.Fatalf("got %d reports, ours %v", len(reports), []bool{len(reports) > 0 && reports[0].Ours, len(reports) > 1 && reports[1].Ours})
	}
}
