package actors

import "unicode/utf8"

// A conversation's history reaches a client a page at a time: a conv frame
// carries the newest page, and a history frame (connection_history.go) an
// older one on request. A page is bounded in messages and in the bytes its
// messages take on the wire, so however long a conversation grows, no frame
// (and no queue of frames for a client that does not read) grows with it.

// HistoryLimits bound one page of history.
type HistoryLimits struct {
	// Messages is the most messages in a page.
	Messages int
	// Bytes is the most the page's messages may take encoded, by
	// ConvMessage.WireSize. A page holds at least one message, whatever
	// its size, so paging always moves on.
	Bytes int
}

// DefaultHistoryLimits: a screenful and more of ordinary lines, and a few
// of the longest (a text of 8 KiB of control characters takes 48 KiB as
// JSON), so that a client that never reads costs at most this per frame.
func DefaultHistoryLimits() HistoryLimits { return HistoryLimits{Messages: 50, Bytes: 256 << 10} }

// OrDefault fills the zero fields from DefaultHistoryLimits().
func (l HistoryLimits) OrDefault() HistoryLimits {
	if l.Messages <= 0 {
		l.Messages = DefaultHistoryLimits().Messages
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultHistoryLimits().Bytes
	}
	return l
}

// newest returns the newest messages of msgs (oldest first) that fit in a
// page of at most count messages and l.Bytes.
func (l HistoryLimits) newest(msgs []ConvMessage, count int) []ConvMessage {
	first, size := len(msgs), 0
	for first > 0 && len(msgs)-first < count {
		n := msgs[first-1].WireSize()
		if size+n > l.Bytes && first < len(msgs) {
			break
		}
		size += n
		first--
	}
	return msgs[first:]
}

// msgOverhead bounds what a message's frame object holds besides its
// strings: field names, punctuation, role, seq and time.
const msgOverhead = 192

// WireSize is an upper bound on the bytes m takes as one JSON object of a
// frame's history: its strings as encoding/json escapes them (a control
// character takes 6 bytes) and the rest.
func (m *ConvMessage) WireSize() int {
	n := msgOverhead + quotedLen(string(m.Conv)) + quotedLen(m.From.ID) + quotedLen(m.From.Name) +
		quotedLen(m.Text) + quotedLen(m.ClientID)
	if m.File.ID != "" {
		// The file object: its name again, id, type and size.
		n += fileOverhead + quotedLen(m.Text) + quotedLen(m.File.ID) + quotedLen(m.File.Type)
	}
	return n
}

// fileOverhead bounds a file object's field names, punctuation and size.
const fileOverhead = 64

// quotedLen is an upper bound on the length of s as encoding/json writes
// it in a string, quotes left out: with HTML escaping, and invalid UTF-8
// as \ufffd.
func quotedLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t':
				n += 2
			case b < 0x20 || b == '<' || b == '>' || b == '&':
				n += 6 // \u00XX
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}
