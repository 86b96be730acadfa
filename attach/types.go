package attach

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// DefaultMaxBytes bounds an upload (-upload-max).
const DefaultMaxBytes = 10 << 20

// DefaultTypes are the media types an upload may have (-upload-types):
// pictures, PDF and plain text. Never HTML or SVG, whatever the list says
// (Types refuses them): served from this origin they could run script.
var DefaultTypes = Types{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}

// Types is a set of media types, without parameters.
type Types []string

// never are the types no list may allow.
var never = []string{"text/html", "image/svg+xml", "text/xml", "application/xml", "application/xhtml+xml", "text/javascript", "application/javascript"}

// ParseTypes reads a comma-separated list such as -upload-types'.
func ParseTypes(list string) (Types, error) {
	var out Types
	for _, t := range strings.Split(list, ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		if slices.Contains(never, t) {
			return nil, fmt.Errorf("%s may not be allowed: a browser would run it", t)
		}
		if _, _, err := mime.ParseMediaType(t); err != nil || !strings.Contains(t, "/") {
			return nil, fmt.Errorf("%q is not a media type", t)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no media type given")
	}
	return out, nil
}

func (ts Types) String() string { return strings.Join(ts, ",") }

// Allows reports whether t is one of ts.
func (ts Types) Allows(t string) bool { return slices.Contains(ts, t) }

// Inline reports whether a file of type t is shown in the page (a picture)
// rather than downloaded.
func Inline(t string) bool { return strings.HasPrefix(t, "image/") && t != "image/svg+xml" }

// SniffLen is how many of a file's first bytes Sniff looks at.
const SniffLen = 512

// Sniff returns the media type of a file from its first bytes, without
// parameters: net/http's sniffing (the WHATWG algorithm), which tells
// HTML by its tags whatever the file is called. A text file that holds a
// tag anywhere in what is looked at counts as HTML too.
func Sniff(head []byte) string {
	t, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if t == "text/plain" && bytes.Contains(bytes.ToLower(head), []byte("<script")) {
		return "text/html"
	}
	return t
}
