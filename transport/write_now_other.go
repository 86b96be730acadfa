//go:build !unix

package transport

import "syscall"

// writeNow writes nothing where write(2) is not at hand: every batch goes
// to the writer goroutine, as it did before inline writes.
func writeNow(syscall.RawConn, []byte) int { return 0 }
