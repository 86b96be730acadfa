package auth

import "crypto/rand"

// NewPasswordLen is the length of generated passwords: 16 characters from a
// 56-symbol alphabet carry about 93 bits, beyond any guessing.
const NewPasswordLen = 16

// passwordAlphabet is letters and digits without the look-alikes 0 O o 1 l I,
// so a password read off a log line is typed right the first time.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewPassword returns a random password of NewPasswordLen characters from
// crypto/rand.
func NewPassword() string {
	// Bytes at or past limit are dropped so that every symbol is equally
	// likely (a plain modulo would favour the first 256%56 symbols).
	const limit = 256 - 256%len(passwordAlphabet)
	out := make([]byte, 0, NewPasswordLen)
	var buf [2 * NewPasswordLen]byte
	for len(out) < NewPasswordLen {
		rand.Read(buf[:]) // never fails (Go 1.24+ crashes the program instead)
		for _, b := range buf {
			if int(b) < limit && len(out) < NewPasswordLen {
				out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			}
		}
	}
	return string(out)
}
