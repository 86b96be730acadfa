package accounts

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"kefu/auth"
)

// newPassword returns the hash of a new password, made with passwords, and,
// when it was generated rather than read, the password itself to show once.
// With fromStdin it reads one line from stdin (no echo to undo: it is meant
// for pipes and scripts).
func newPassword(passwords auth.Hasher, fromStdin bool, stdin io.Reader) (hash []byte, generated string, err error) {
	pw := ""
	if fromStdin {
		if pw, err = readLine(stdin); err != nil {
			return nil, "", err
		}
	} else {
		pw = auth.NewPassword()
		generated = pw
	}
	hash, err = passwords.Hash(pw)
	if err != nil {
		return nil, "", err
	}
	return hash, generated, nil
}

// readLine reads one line without its line ending. Other spaces are kept:
// they may be part of the password.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// shownOnce formats a generated password for the one time it is printed.
func shownOnce(generated string) string {
	if generated == "" {
		return ""
	}
	return "; password: " + generated + " (shown once)"
}
