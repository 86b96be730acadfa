package loadtest

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Every message the harness sends says who sent it, its number and when it
// was written, so the receiver can check order and measure the delivery:
//
//	lt <run> <c|a><index> <n> <unix nanoseconds> [<unix ns of the message answered>]
//
// The run id keeps runs against the same server apart (agent accounts and
// their conversations outlive a run). The last field is on compat replies,
// for the customer's round trip.
const textTag = "lt"

// msgID names one message of a run: the sender's role and index and the
// message's number, packed for the verification records.
type msgID uint64

const agentBit = msgID(1) << 63

// foreignMsg stands for a message whose text the harness did not write
// (another run's): bit 62 is never set by newMsgID.
const foreignMsg = msgID(1) << 62

func newMsgID(agent bool, index, n int) msgID {
	id := msgID(uint32(index))<<32 | msgID(uint32(n))
	if agent {
		id |= agentBit
	}
	return id
}

// parsedText is what a message's text says.
type parsedText struct {
	id       msgID
	sentAt   time.Time
	answered time.Time // zero unless the text answers another message
}

// msgText writes a message's text.
func msgText(run string, agent bool, index, n int, at time.Time, answered time.Time) string {
	role := "c"
	if agent {
		role = "a"
	}
	var b strings.Builder
	b.Grow(64)
	b.WriteString(textTag + " " + run + " " + role)
	b.WriteString(strconv.Itoa(index))
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(n))
	b.WriteByte(' ')
	b.WriteString(strconv.FormatInt(at.UnixNano(), 10))
	if !answered.IsZero() {
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(answered.UnixNano(), 10))
	}
	return b.String()
}

// parseText reads a text msgText wrote in this run; ok is false for
// anything else (another run's, or not the harness's).
func parseText(run, text string) (p parsedText, ok bool) {
	f := strings.Fields(text)
	if len(f) < 5 || f[0] != textTag || f[1] != run || len(f[2]) < 2 {
		return p, false
	}
	agent := f[2][0] == 'a'
	index, err1 := strconv.Atoi(f[2][1:])
	n, err2 := strconv.Atoi(f[3])
	at, err3 := strconv.ParseInt(f[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return p, false
	}
	p.id, p.sentAt = newMsgID(agent, index, n), time.Unix(0, at)
	if len(f) > 5 {
		if ans, err := strconv.ParseInt(f[5], 10, 64); err == nil {
			p.answered = time.Unix(0, ans)
		}
	}
	return p, true
}

// msgCID is a native message's client id: unique per sender across runs
// and reconnections, as the protocol asks.
func msgCID(run string, agent bool, index, n int) string {
	role := ".c"
	if agent {
		role = ".a"
	}
	return run + role + strconv.Itoa(index) + "." + strconv.Itoa(n)
}

// newRunID is a short random id for this run.
func newRunID() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }
