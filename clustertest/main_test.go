package clustertest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"kefu/internal/kefuproc"
	"kefu/internal/testports"
)

// binDir holds the race-built binary every scenario runs; TestMain makes it
// and removes it.
var binDir string

func TestMain(m *testing.M) {
	// A scenario that leaves a listener on a default port fails here as it
	// would beside `make run`.
	testports.Hold()
	dir, err := os.MkdirTemp("", "kefu-clustertest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// built builds the binary once per test run, at the first scenario: the
// checker's own tests need none.
var built = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "kefu")
	return bin, kefuproc.Build(bin)
})

// kefuBin returns the race-built binary, or fails tb.
func kefuBin(tb testing.TB) string {
	tb.Helper()
	bin, err := built()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}
