package transport

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz from docs/protocol.md and the nasty cases below")

// TestWriteSeedCorpora writes the seed corpora the fuzz targets start from
// (and plain go test runs as tests): every frame docs/protocol.md shows,
// the nasty cases below, and client scripts for FuzzConnection. It only
// runs when asked:
//
//	go test ./transport -run TestWriteSeedCorpora -write-seeds
//
// It writes files named for what they hold and leaves others alone, such as
// the inputs go test -fuzz saved as crashers, which stay as regression seeds.
func TestWriteSeedCorpora(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-seeds to rewrite testdata/fuzz")
	}
	docs := docFrames(t, "../docs/protocol.md")
	if len(docs) < 50 {
		t.Fatalf("found only %d frames in docs/protocol.md", len(docs))
	}
	native := map[string][]byte{}
	compat := map[string][]byte{}
	for i, f := range docs {
		native[fmt.Sprintf("doc-%03d", i)] = f
		if bytes.Contains(f, []byte("neiRong")) {
			compat[fmt.Sprintf("doc-%03d", i)] = f
		}
	}
	for name, f := range nastyFrames("type", `"type":"msg","conv":"cv_1","cid":"c1","text":`) {
		native["nasty-"+name] = f
	}
	for name, f := range nastyFrames("neiRong", `"neiRong":`) {
		compat["nasty-"+name] = f
	}
	for i, f := range wrongTypes {
		native[fmt.Sprintf("wrong-%02d", i)] = []byte(f)
		compat[fmt.Sprintf("wrong-%02d", i)] = []byte(f)
	}
	writeCorpus(t, "FuzzDecodeNative", native)
	writeCorpus(t, "FuzzDecodeCompat", compat)
	writeCorpus(t, "FuzzConnection", connectionScripts(docs))
}

// docFrames returns every JSON object docs/protocol.md shows: the lines of
// its code blocks from their first '{', and the table cells and inline
// code that hold one.
func docFrames(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inline := regexp.MustCompile("`(\\{[^`]*\\})`")
	seen := map[string]bool{}
	var out [][]byte
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, []byte(s))
		}
	}
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			inBlock = !inBlock
		case inBlock:
			if i := strings.Index(line, "{"); i >= 0 {
				add(line[i:])
			}
		default:
			for _, m := range inline.FindAllStringSubmatch(line, -1) {
				add(m[1])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// nastyFrames are the cases decoders get wrong: bad UTF-8, huge and
// control-laden texts, wrong and unknown types, missing fields, garbage.
// key is the protocol's required field; msg opens an object whose text
// comes next.
func nastyFrames(key, msg string) map[string][]byte {
	text := func(t string) []byte { return []byte("{" + msg + jsonString(t) + "}") }
	return map[string][]byte{
		"invalid-utf8-text":       []byte("{" + msg + "\"\xff\xfe\xfd\"}"),
		"invalid-utf8-key":        []byte("{\"\xc0\xaf\":1," + msg + "\"x\"}"),
		"invalid-utf8-bare":       []byte("\xff"),
		"overlong-nul":            []byte("{" + msg + "\"\xc0\x80\"}"),
		"lone-surrogates":         []byte("{" + msg + `"\ud800\udbff\udfff"}`),
		"text-at-limit":           text(strings.Repeat("a", DefaultMaxTextBytes)),
		"text-over-limit":         text(strings.Repeat("a", DefaultMaxTextBytes+1)),
		"text-100000-emoji":       text(strings.Repeat("😀", 100_000)),
		"text-blank":              text(" \t\r\n\u3000"),
		"text-empty":              text(""),
		"text-control-escaped":    text("\x00\x01\x07\x1b[2J\x7f\u0085\u202e\u2028"),
		"text-control-raw":        []byte("{" + msg + "\"a\x00b\x1bc\"}"),
		"text-html":               text(`<img src=x onerror=alert(1)>&amp;`),
		"text-wrong-type-number":  []byte("{" + msg + "42}"),
		"text-wrong-type-object":  []byte("{" + msg + `{"a":1}}`),
		"text-null":               []byte("{" + msg + "null}"),
		"field-missing":           []byte(`{"other":"x"}`),
		"field-case":              []byte(`{"` + strings.ToUpper(key) + `":"ping"}`),
		"field-duplicate":         []byte(`{"` + key + `":"ping","` + key + `":"pong"}`),
		"field-long-unknown-type": []byte(`{"` + key + `":"` + strings.Repeat("x", 300) + `"}`),
		"unknown-type":            []byte(`{"` + key + `":"teleport"}`),
		"type-number":             []byte(`{"` + key + `":1}`),
		"deep-nesting":            []byte(`{"` + key + `":"ping","x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}"),
		"huge-number":             []byte(`{"type":"capacity","capacity":1e400}`),
		"int-overflow":            []byte(`{"type":"read","conv":"cv_1","seq":18446744073709551616}`),
		"resume-over-limit":       resumeFrame(maxResume + 1),
		"resume-at-limit":         resumeFrame(maxResume),
		"cid-over-limit":          []byte(`{"type":"msg","conv":"cv_1","text":"hi","cid":"` + strings.Repeat("c", maxCIDLen+1) + `"}`),
		"trailing-bracket":        []byte(`{"` + key + `":"ping"}]`),
		"trailing-brace":          []byte(`{"` + key + `":"ping"}}`),
		"two-objects":             []byte(`{"` + key + `":"a"}{"` + key + `":"b"}`),
		"bom":                     []byte("\ufeff{\"" + key + "\":\"ping\"}"),
		"whitespace-around":       []byte(" \r\n\t{\"" + key + "\":\"ping\"} \n"),
		"empty":                   {},
		"null":                    []byte("null"),
		"array":                   []byte(`[{"` + key + `":"ping"}]`),
		"string":                  []byte(`"ping"`),
		"binary-garbage":          {0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x1f, 0x8b, 0x08, 0x00, '{', 0x80},
		"gzip-header":             {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03},
		"truncated":               []byte(`{"` + key + `":"pi`),
	}
}

// resumeFrame is a customer's hello that resumes n conversations.
func resumeFrame(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"hello","v":1,"role":"customer","name":"Bob","resume":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"cv_%d":%d`, i, i)
	}
	b.WriteString("}}")
	return []byte(b.String())
}

// writeCorpus writes each input to testdata/fuzz/target/name in the
// "go test fuzz v1" format.
func writeCorpus(t *testing.T, target string, inputs map[string][]byte) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, in := range inputs {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", in)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
