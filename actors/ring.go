package actors

// ring keeps the newest n items; the oldest make way.
type ring[T any] struct {
	buf   []T
	start int // index of the oldest
	n     int // items held
}

func newRing[T any](n int) ring[T] { return ring[T]{buf: make([]T, max(n, 1))} }

func (r *ring[T]) push(v T) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = v
		r.n++
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

// items returns a copy, oldest first.
func (r *ring[T]) items() []T {
	out := make([]T, r.n)
	for i := range out {
		out[i] = r.buf[(r.start+i)%len(r.buf)]
	}
	return out
}

func (r *ring[T]) oldest() (T, bool) {
	var zero T
	if r.n == 0 {
		return zero, false
	}
	return r.buf[r.start], true
}

func (r *ring[T]) newest() (T, bool) {
	var zero T
	if r.n == 0 {
		return zero, false
	}
	return r.buf[(r.start+r.n-1)%len(r.buf)], true
}
