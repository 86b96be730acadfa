package transport

import (
	"fmt"
	"strings"
)

// script builds a FuzzConnection input: the setup byte, then ops with
// their bytes, in the order program reads them.
type script []byte

func newScript(setup byte) script { return script{setup} }

func (s script) add(parts ...[]byte) script {
	for _, p := range parts {
		s = append(s, p...)
	}
	return s
}

// Conversation selectors with one conversation known: the first, one that
// does not exist, none.
const (
	convFirst byte = 0
	convNone  byte = 1
	convEmpty byte = 2
)

// Version bytes: protocol.version reads 0xf0+n as version n, below as 1.
const (
	v1 byte = 0
	v2 byte = 0xf2
)

func op(o byte, args ...byte) []byte { return append([]byte{o}, args...) }

// rawOp sends data as one text or binary frame.
func rawOp(o byte, data []byte) []byte {
	return append([]byte{o, byte(len(data) >> 8), byte(len(data))}, data...)
}

// helloCust says hello as a new customer named name (at most 255 bytes).
func helloCust(name string) []byte {
	return append(append([]byte{opHelloCust, 0, byte(len(name))}, name...), v1)
}

// resumeCust says hello with a customer token (picked by tok) and resumes
// conversation conv from seq.
func resumeCust(tok, conv, seq byte) []byte {
	return []byte{opHelloCust, 2 | 1<<4, tok, conv, seq, v1}
}

// helloAgent says hello as an agent with the token tok picks (0: Ann's).
func helloAgent(version, tok byte) []byte { return []byte{opHelloAgent, version, tok} }

// msg sends a text to conv with client id cid; text is a textOf or textKind.
func msg(conv, cid byte, text []byte) []byte {
	return append([]byte{opMsg, conv, cid}, text...)
}

func say(text []byte) []byte { return append([]byte{opSay}, text...) }

// textOf is "hi " and s (at most 255 bytes).
func textOf(s string) []byte { return append([]byte{0, byte(len(s))}, s...) }

// The other texts program.text offers, by kind.
const (
	textBlank    byte = 3
	textAtLimit  byte = 4
	textOver     byte = 5
	textEmojiMax byte = 6
	textEmoji    byte = 7
	textControl  byte = 8
	textSurrog   byte = 9
	textHTML     byte = 10
	textNull     byte = 11
)

func textKind(k byte) []byte {
	if k == textBlank {
		return []byte{k, 5}
	}
	return []byte{k}
}

// nastyOps is every kind of bad frame, for a script to send once admitted.
func nastyOps() []byte {
	var b []byte
	for _, t := range []byte{textBlank, textAtLimit, textOver, textEmojiMax, textEmoji, textControl, textSurrog, textHTML, textNull} {
		b = append(b, msg(convFirst, 1, textKind(t))...)
		b = append(b, say(textKind(t))...)
	}
	b = append(b, rawOp(opBinary, []byte{0, 1, 2, 0xff})...)
	b = append(b, rawOp(opText, []byte("\xff\xfe"))...)
	b = append(b, rawOp(opText, []byte(`{"type":"msg","conv":"x","text":"\xc0\xaf","cid":"c"}`))...)
	b = append(b, msg(convFirst, 0xff, textOf("cid too long"))...)
	b = append(b, msg(convFirst, 0xfe, textOf("no cid"))...)
	b = append(b, msg(convNone, 2, textOf("not mine"))...)
	b = append(b, msg(convEmpty, 3, textOf("no conv"))...)
	for i := range wrongTypes {
		b = append(b, op(opWrongType, byte(i))...)
	}
	return b
}

// connectionScripts are FuzzConnection's seeds: the worked example of
// docs/protocol.md from either side, each refusal the protocol documents,
// the nasty frames, and each frame the docs show sent raw once admitted.
func connectionScripts(docs [][]byte) map[string][]byte {
	out := map[string][]byte{
		"native-customer-worked-example": newScript(setupNativeAgent).add(
			helloCust("Bob"), op(opRequest),
			msg(convFirst, 1, textOf("My order is late")),
			op(opRead, convFirst, 2), op(opTyping, convFirst),
			msg(convFirst, 2, textOf("Order 1234")), msg(convFirst, 1, textOf("My order is late")),
			op(opPing), op(opPong), op(opEnd, convFirst), msg(convFirst, 3, textOf("after the end")),
		),
		"native-agent-worked-example": newScript(setupNativeQueued).add(
			helloAgent(v1, 0), msg(convFirst, 1, textOf("Let me check.")),
			op(opRead, convFirst, 1), op(opTyping, convFirst),
			op(opStatus, 1), op(opStatus, 0), op(opCapacity, 3), op(opCapacity, 0), op(opCapacity, 51), op(opCapacity, 0xff),
			op(opAgents), op(opStatus, 3),
			op(opTransfer, convFirst, 4), op(opTransfer, convFirst, 2), op(opTransfer, convFirst, 6),
			op(opEnd, convFirst),
		),
		"native-agent-transfer-back": newScript(setupNativeQueued).add(
			helloAgent(v1, 0), op(opTransfer, convFirst, 4), msg(convFirst, 1, textOf("still mine?")), op(opCancel), op(opRequest),
		),
		"native-customer-cancel": newScript(setupNativeQueued).add(
			helloCust("Bob"), op(opRequest), op(opRequest), op(opCancel), op(opCancel), op(opAgents), op(opStatus, 0),
		),
		"native-customer-takes-over": newScript(setupNativeQueued).add(
			resumeCust(0, convNone, 3), op(opCancel), op(opRequest),
		),
		"native-customer-resume-own": newScript(setupNativeAgent).add(
			helloCust("Bob"), op(opRequest), msg(convFirst, 1, textOf("one")), resumeCust(0, convFirst, 1),
		),
		"native-before-hello":        newScript(setupNativeAgent).add(op(opRequest), op(opPing)),
		"native-hello-v2":            newScript(setupNativeAgent).add(helloAgent(v2, 0)),
		"native-hello-expired":       newScript(setupNativeAgent).add(helloAgent(v1, 4)),
		"native-hello-removed":       newScript(setupNativeAgent).add(helloAgent(v1, 5)),
		"native-hello-wrong-role":    newScript(setupNativeQueued).add(helloAgent(v1, 6)),
		"native-hello-forged":        newScript(setupNativeAgent).add(helloAgent(v1, 7)),
		"native-hello-helper-tab":    newScript(setupNativeAgent).add(helloAgent(v1, 3), op(opAgents), op(opStatus, 1)),
		"native-hello-name-blank":    newScript(setupNativeAgent).add(helloCust(" \t ")),
		"native-hello-name-reserved": newScript(setupNativeAgent).add(helloCust("系统")),
		"native-hello-name-control":  newScript(setupNativeAgent).add(helloCust("Bob\x1b[31m")),
		"native-hello-name-long":     newScript(setupNativeAgent).add(helloCust(strings.Repeat("名", 65))),
		"native-hello-name-bad-utf8": newScript(setupNativeAgent).add(helloCust("Bob\xff")),
		"native-hello-twice":         newScript(setupNativeAgent).add(helloCust("Bob"), helloCust("Bob")),
		"native-early-burst": newScript(setupNativeAgent).add(
			[]byte{opBurst, 30}, helloCust("Bob"), op(opRequest),
			// 30 more: past the 16 held before admission.
			[]byte(strings.Repeat(string(rune(opPing)), 30)),
		),
		"native-burst-chat": newScript(setupNativeAgent).add(
			helloCust("Bob"), op(opRequest),
			[]byte{opBurst, 4}, msg(convFirst, 1, textOf("a")), msg(convFirst, 2, textOf("b")), op(opEnd, convFirst),
			msg(convFirst, 3, textOf("c")), msg(convFirst, 4, textKind(textBlank)), op(opTyping, convFirst),
		),
		"native-customer-nasty": newScript(setupNativeAgent).add(append(append(helloCust("Bob"), opRequest), nastyOps()...)),
		"native-agent-nasty":    newScript(setupNativeQueued).add(append(helloAgent(v1, 0), nastyOps()...)),
		"native-hang-up":        newScript(setupNativeAgent).add(helloCust("Bob"), op(opRequest), op(opHang), op(opPing)),
		"compat-agent-chat": newScript(setupCompatAgent).add(
			say(textOf("你好")), say(textKind(textHTML)), op(opPing),
		),
		"compat-customer-chat": newScript(setupCompatCust).add(
			say(textOf("你好")), say(textOf("多行\n文本")), op(opHang),
		),
		"compat-agent-nasty":    newScript(setupCompatAgent).add(nastyOps()),
		"compat-customer-nasty": newScript(setupCompatCust).add(nastyOps()),
	}
	for i, f := range docs {
		if len(f) > 0xffff {
			continue
		}
		native := newScript(setupNativeAgent).add(helloCust("Bob"), op(opRequest), rawOp(opText, f))
		out[fmt.Sprintf("native-doc-%03d", i)] = native
		if strings.Contains(string(f), "neiRong") {
			out[fmt.Sprintf("compat-doc-%03d", i)] = newScript(setupCompatCust).add(rawOp(opText, f))
		}
	}
	return out
}
