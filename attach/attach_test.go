package attach

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRefs(t *testing.T) {
	r := NewRefs(bytes.Repeat([]byte{7}, 32), time.Hour)
	f := File{Blob: "bl_1", Conv: "cv_1", By: "cu_1", Name: "屏幕截图.png", Type: "image/png", Size: 1234}
	ref := r.Sign(f)
	got, err := r.Verify(ref)
	if f.At = got.At; err != nil || got != f || time.Since(time.Unix(got.At, 0)) > time.Minute {
		t.Fatalf("Verify(Sign(f)) = %+v, %v", got, err)
	}
	other := NewRefs(bytes.Repeat([]byte{8}, 32), time.Hour)
	b64, sig, _ := strings.Cut(ref, ".")
	for name, bad := range map[string]string{
		"another key":  other.Sign(f),
		"no signature": b64,
		"tampered":     strings.ToUpper(b64[:4]) + b64[4:] + "." + sig,
		"empty":        "",
		"too long":     strings.Repeat("a", maxRefLen+1),
	} {
		if _, err := r.Verify(bad); !errors.Is(err, ErrBadRef) {
			t.Errorf("%s: Verify = %v, want ErrBadRef", name, err)
		}
	}
}

// TestRefExpiry: a reference is good for its Refs' maximum age after it
// was signed, and no longer; one signed before references carried a time
// is taken; with no maximum age, none expires.
func TestRefExpiry(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	r := NewRefs(secret, time.Hour)
	f := File{Blob: "bl_1", Conv: "cv_1", By: "cu_1", Name: "a.png", Type: "image/png", Size: 1}
	for name, tc := range map[string]struct {
		at   time.Time
		want error
	}{
		"fresh":   {time.Now().Add(-59 * time.Minute), nil},
		"too old": {time.Now().Add(-61 * time.Minute), ErrExpiredRef},
	} {
		g := f
		g.At = tc.at.Unix()
		if _, err := r.Verify(r.Sign(g)); !errors.Is(err, tc.want) && (err != nil || tc.want != nil) {
			t.Errorf("%s: Verify = %v, want %v", name, err, tc.want)
		}
	}
	// Signed by a version whose references had no time: taken.
	body, _ := json.Marshal(f)
	enc := base64.RawURLEncoding
	if got, err := r.Verify(enc.EncodeToString(body) + "." + enc.EncodeToString(r.mac(body))); err != nil || got.At != 0 {
		t.Errorf("a reference with no time: %+v, %v", got, err)
	}
	old := f
	old.At = time.Now().Add(-1000 * time.Hour).Unix()
	if _, err := NewRefs(secret, 0).Verify(r.Sign(old)); err != nil {
		t.Errorf("no maximum age: Verify = %v", err)
	}
}

func TestSniff(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for name, tc := range map[string]struct {
		head []byte
		want string
	}{
		"png":               {png, "image/png"},
		"pdf":               {[]byte("%PDF-1.7\n%âãÏÓ"), "application/pdf"},
		"text":              {[]byte("order 1234, 退款"), "text/plain"},
		"html named .png":   {[]byte("<!DOCTYPE html><html><script>alert(1)</script>"), "text/html"},
		"html without tags": {[]byte("hello <script>alert(1)</script>"), "text/html"},
		"svg":               {[]byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "text/xml"},
	} {
		if got := Sniff(tc.head); got != tc.want {
			t.Errorf("%s: Sniff = %q, want %q", name, got, tc.want)
		}
		if tc.want == "text/html" || tc.want == "text/xml" {
			if DefaultTypes.Allows(Sniff(tc.head)) {
				t.Errorf("%s: allowed by default", name)
			}
		}
	}
}

func TestParseTypes(t *testing.T) {
	if ts, err := ParseTypes(" image/png, application/PDF "); err != nil || ts.String() != "image/png,application/pdf" {
		t.Fatalf("ParseTypes = %v, %v", ts, err)
	}
	for _, bad := range []string{"", "text/html", "image/png,image/svg+xml", "png"} {
		if _, err := ParseTypes(bad); err == nil {
			t.Errorf("ParseTypes(%q) passed", bad)
		}
	}
}
