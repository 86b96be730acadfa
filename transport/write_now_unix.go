//go:build unix

package transport

import "syscall"

// writeNow writes b to raw's descriptor with one write(2) that does not
// wait (Go's sockets are non-blocking), and returns how much went: 0 when
// the kernel's buffer is full or the write failed. A failure is left to the
// writer goroutine's flush, which meets it again and reports it.
func writeNow(raw syscall.RawConn, b []byte) int {
	n := 0
	_ = raw.Write(func(fd uintptr) bool {
		for {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			if err == syscall.EINTR || (err == nil && m > 0 && n < len(b)) {
				continue
			}
			return true // done, or EAGAIN or an error: never wait here
		}
	})
	return n
}
