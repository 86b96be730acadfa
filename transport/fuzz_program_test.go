package transport

import (
	"encoding/json"
	"strconv"
	"strings"
)

// program reads a fuzz input as a client's script: a byte picks the next
// frame's kind, and the bytes after it its fields. A mutated byte changes
// one choice, so the fuzzer can reach deep states (admitted, in a
// conversation) that random JSON would almost never reach, and still send
// anything at all through the raw ops. Past the end every read is zero.
type program struct{ b []byte }

func (p *program) more() bool { return len(p.b) > 0 }

func (p *program) byte() byte {
	if len(p.b) == 0 {
		return 0
	}
	v := p.b[0]
	p.b = p.b[1:]
	return v
}

// bytes takes the next n bytes, or what is left.
func (p *program) bytes(n int) []byte {
	n = min(n, len(p.b))
	v := p.b[:n]
	p.b = p.b[n:]
	return v
}

// chunk takes a length byte and that many bytes.
func (p *program) chunk() []byte { return p.bytes(int(p.byte())) }

// long takes a two-byte length and that many bytes.
func (p *program) long() []byte { return p.bytes(int(p.byte())<<8 | int(p.byte())) }

// The ops a program's byte picks from.
const (
	opText       = iota // raw bytes as a text frame: anything at all
	opBinary            // raw bytes as a binary frame
	opHelloAgent        // hello as an agent, with a chosen token
	opHelloCust         // hello as a customer: a name, or a chosen token, and resume
	opRequest
	opCancel
	opMsg // msg with a chosen conversation, cid and text
	opTyping
	opRead
	opEnd
	opStatus
	opCapacity
	opTransfer
	opAgents
	opPing
	opPong
	opSay       // the compat protocol's one frame, with a chosen text
	opWrongType // a documented frame with a field of the wrong type
	opHang      // the client goes away: the script ends
	opBurst     // several frames sent back to back, without waiting for answers
	numOps
)

// fuzzFrame is one frame a program sends.
type fuzzFrame struct {
	data   []byte
	binary bool
	cid    string // a msg's client id, when it has one
}

// frameFor builds the frame for op from the program's next bytes. k is what
// the client knows so far: conversation ids and tokens it was given.
func (p *program) frameFor(op byte, k *knowledge) fuzzFrame {
	switch op {
	case opText:
		return fuzzFrame{data: p.long()}
	case opBinary:
		return fuzzFrame{data: p.long(), binary: true}
	case opHelloAgent:
		return obj(p.version(), `"type":"hello","role":"agent","token":`, jsonString(k.agentToken(p.byte())))
	case opHelloCust:
		return p.helloCustomer(k)
	case opRequest:
		return obj(`"type":"request"`)
	case opCancel:
		return obj(`"type":"cancel"`)
	case opMsg:
		conv, cid := k.conv(p.byte()), p.cid()
		f := obj(`"type":"msg","conv":`, jsonString(conv), `,"cid":`, jsonString(cid), `,"text":`, p.text())
		f.cid = cid
		return f
	case opTyping:
		return obj(`"type":"typing","conv":`, jsonString(k.conv(p.byte())))
	case opRead:
		return obj(`"type":"read","conv":`, jsonString(k.conv(p.byte())), `,"seq":`, strconv.Itoa(int(p.byte())))
	case opEnd:
		return obj(`"type":"end","conv":`, jsonString(k.conv(p.byte())))
	case opStatus:
		return obj(`"type":"status","status":`, jsonString([]string{"available", "away", "", "busy", "AWAY"}[p.byte()%5]))
	case opCapacity:
		return obj(`"type":"capacity","capacity":`, strconv.Itoa(int(int8(p.byte()))))
	case opTransfer:
		return obj(`"type":"transfer","conv":`, jsonString(k.conv(p.byte())), `,"to":`, jsonString(k.agentID(p.byte())))
	case opAgents:
		return obj(`"type":"agents"`)
	case opPing:
		return obj(`"type":"ping"`)
	case opPong:
		return obj(`"type":"pong"`)
	case opSay:
		return obj(`"neiRong":`, p.text())
	case opWrongType:
		return fuzzFrame{data: []byte(wrongTypes[int(p.byte())%len(wrongTypes)])}
	}
	return fuzzFrame{}
}

// wrongTypes are documented frames with a field of the wrong type, or a
// field missing, for both protocols.
var wrongTypes = []string{
	`{"type":"capacity","capacity":"5"}`,
	`{"type":"hello","v":"1","role":"customer","name":"x"}`,
	`{"type":"hello","v":1,"role":"customer"}`,
	`{"type":"hello","v":1,"role":"robot","name":"x"}`,
	`{"type":"read","conv":"cv_x","seq":-1}`,
	`{"type":"msg","conv":"cv_x","text":7,"cid":"c"}`,
	`{"type":"msg","conv":"cv_x","text":"hi"}`,
	`{"type":["msg"]}`,
	`{"type":"fly"}`,
	`{"conv":"cv_x","text":"hi"}`,
	`{"neiRong":1}`,
	`{"neiRong":null}`,
	`{}`,
	`[]`,
	`null`,
	`{"neiRong":"a"}{"neiRong":"b"}`,
	`{"type":"ping"}]`,
}

func (p *program) version() string {
	if v := p.byte(); v >= 0xf0 {
		return `"v":` + strconv.Itoa(int(v)-0xf0) + `,` // 0..15: mostly not 1
	}
	return `"v":1,`
}

func (p *program) helloCustomer(k *knowledge) fuzzFrame {
	sel := p.byte()
	var who string
	switch sel % 4 {
	case 0, 1:
		who = `"name":` + jsonString(string(p.chunk()))
	case 2:
		who = `"token":` + jsonString(k.customerToken(p.byte()))
	case 3:
		who = `"token":` + jsonString(k.customerToken(p.byte())) + `,"name":` + jsonString(string(p.chunk()))
	}
	resume := ""
	if n := int(sel>>4) % 4; n > 0 {
		entries := make([]string, n)
		for i := range entries {
			entries[i] = jsonString(k.conv(p.byte())) + ":" + strconv.Itoa(int(p.byte()))
		}
		resume = `,"resume":{` + strings.Join(entries, ",") + `}`
	}
	return obj(p.version(), `"type":"hello","role":"customer",`, who, resume)
}

// cid picks a client message id: mostly short ones that repeat, so resends
// happen, and now and then one over the limit or none.
func (p *program) cid() string {
	switch b := p.byte(); {
	case b == 0xff:
		return strings.Repeat("c", maxCIDLen+1)
	case b == 0xfe:
		return ""
	default:
		return "c" + strconv.Itoa(int(b%32))
	}
}

// text returns a msg's or say's text as a JSON value: chosen bytes, or one
// of the cases the limits are about.
func (p *program) text() string {
	switch p.byte() % 12 {
	case 0:
		return jsonString("hi " + string(p.chunk()))
	case 1:
		return jsonString(string(p.long())) // may be invalid UTF-8: escaped, so the frame stays valid
	case 2:
		return `"` + string(p.chunk()) + `"` // raw: may break the JSON or the UTF-8
	case 3:
		return jsonString(strings.Repeat(" \t\n", int(p.byte()%8))) // blank
	case 4:
		return jsonString(strings.Repeat("a", DefaultMaxTextBytes)) // at the limit
	case 5:
		return jsonString(strings.Repeat("a", DefaultMaxTextBytes+1))
	case 6:
		return jsonString(strings.Repeat("😀", DefaultMaxTextBytes/4)) // at the limit, in 4-byte runes
	case 7:
		return jsonString(strings.Repeat("😀", 100_000)) // far over, and over the frame limit
	case 8:
		return jsonString("\x00\x01\x1b[31m\u202e\u200b\r") // control and invisible characters
	case 9:
		return `"\ud800 lone \udfff"` // surrogates that are not UTF-8
	case 10:
		return `"<script>alert(1)</script> & 系统"`
	default:
		return `null`
	}
}

// obj joins parts into one JSON object.
func obj(parts ...string) fuzzFrame {
	return fuzzFrame{data: []byte("{" + strings.Join(parts, "") + "}")}
}

// jsonString quotes s as JSON does; invalid UTF-8 becomes U+FFFD.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
