package transport

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"kefu/actors"
)

func TestCompatEncode(t *testing.T) {
	agent := actors.Party{Role: actors.RoleAgent, ID: "cp_a", Name: "A"}
	cust := actors.Party{Role: actors.RoleCustomer, ID: "cu_b", Name: "B"}
	cases := map[string]struct {
		role actors.Role
		msg  any
		want string
	}{
		"Chat":            {actors.RoleAgent, &actors.ConvMessage{From: agent, Text: "你好 <b>&</b>"}, `{"neiRong":"你好 <b>&</b>","shuiFaDe":"A"}`},
		"AgentAssigned":   {actors.RoleCustomer, &actors.ConvOpened{Customer: cust, Agent: agent}, `{"neiRong":"客服-A-将为您服务","shuiFaDe":"系统"}`},
		"CustomerJoined":  {actors.RoleAgent, &actors.ConvOpened{Customer: cust, Agent: agent}, `{"neiRong":"用户-B-已进入房间","shuiFaDe":"系统"}`},
		"CustomerLeft":    {actors.RoleAgent, &actors.ConvClosed{By: cust, Other: cust, Reason: actors.ReasonCustomerLeft}, `{"neiRong":"用户-B-已退出房间","shuiFaDe":"系统"}`},
		"AgentLeft":       {actors.RoleCustomer, &actors.ConvClosed{By: agent, Other: agent, Reason: actors.ReasonAgentLeft}, `{"neiRong":"客服-A-已退出房间","shuiFaDe":"系统"}`},
		"OtherEndSilent":  {actors.RoleCustomer, &actors.ConvClosed{Other: agent, Reason: actors.ReasonFailed}, ``},
		"CloseCommand":    {actors.RoleCustomer, &actors.Kick{Reason: actors.DisconnectAgentLeft}, `{"neiRong":"close","shuiFaDe":"code"}`},
		"OtherKickSilent": {actors.RoleCustomer, &actors.Kick{Reason: actors.DisconnectConvEnded}, ``},
		"Error":           {actors.RoleAgent, &actors.FrameError{Code: "bad_frame", Message: "m"}, `{"neiRong":"错误：m (bad_frame)","shuiFaDe":"系统"}`},
		"WelcomeSilent":   {actors.RoleAgent, &actors.Welcome{You: agent}, ``},
		"Unknown":         {actors.RoleAgent, struct{}{}, ``},
		// A private note is never written in the tutorial's protocol, to
		// either side, alone or in a conv frame (issue 19).
		"NoteSilent":         {actors.RoleCustomer, &actors.NoteAdded{Conv: "cv_1", Note: actors.ConvNote{N: 1, By: agent, Text: "secret"}}, ``},
		"NoteSilentForAgent": {actors.RoleAgent, &actors.NoteAdded{Conv: "cv_1", Note: actors.ConvNote{N: 1, By: agent, Text: "secret"}}, ``},
		"ConvWithoutNotes":   {actors.RoleCustomer, &actors.ConvOpened{Customer: cust, Agent: agent, Notes: []actors.ConvNote{{N: 1, By: agent, Text: "secret"}}}, `{"neiRong":"客服-A-将为您服务","shuiFaDe":"系统"}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := string(CompatCodec{Role: tc.role}.Encode(tc.msg)); got != tc.want {
				t.Fatalf("Encode=%s, want %s", got, tc.want)
			}
		})
	}
}

func TestDecodeCompat(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for frame, want := range map[string]string{
			`{"neiRong":"hi"}`:                  "hi",
			` {"neiRong":"多行\n文本"} `:            "多行\n文本",
			`{"neiRong":"x","shuiFaDe":"fake"}`: "x", // a client cannot name the sender; the field is ignored
			`{"neiRong":""}`:                    "",  // emptiness is the connection's rule, not the codec's
		} {
			say, err := DecodeCompat([]byte(frame))
			if err != nil {
				t.Fatalf("DecodeCompat(%s): %v", frame, err)
			}
			if say.Text != want {
				t.Fatalf("DecodeCompat(%s)=%+v, want text %q", frame, say, want)
			}
		}
	})
	t.Run("ErrBadFrame", func(t *testing.T) {
		for _, frame := range []string{``, `null`, `"x"`, `[]`, `{}`, `{"neiRong":1}`, `{"neiRong":null}`, `{"neiRong":"a"} x`, `{"neiRong":"a"`, `{"neiRong":"a"}]`, `{"neiRong":"a"}}`, ` null `} {
			_, err := DecodeCompat([]byte(frame))
			fe, ok := err.(*actors.FrameError)
			if !ok || fe.Code != actors.ErrCodeBadFrame {
				t.Errorf("DecodeCompat(%s) err=%v, want a %s FrameError", frame, err, actors.ErrCodeBadFrame)
			}
		}
	})
}

// compatDecodeErrors are DecodeCompat's refusals, word for word as
// docs/protocol.md lists them under "Error lines".
var compatDecodeErrors = map[string]bool{
	`expected JSON {"neiRong":"text"}`:   true,
	"expected one JSON object per frame": true,
	`missing field "neiRong"`:            true,
}

// FuzzDecodeCompat checks that the decoder never panics and refuses only
// with one of the documented bad_frame errors; that it accepts nothing but
// a single JSON object; that what it accepts is valid UTF-8 whatever the
// frame held; and that an accepted text survives both trips unchanged: the
// server's relay of it, byte for byte in the tutorial's form, and a
// client's canonical frame of it decoded again. Seeds: testdata/fuzz/
// FuzzDecodeCompat, written by TestWriteSeedCorpora.
func FuzzDecodeCompat(f *testing.F) {
	f.Fuzz(func(t *testing.T, frame []byte) {
		say, err := DecodeCompat(frame)
		if err != nil {
			fe, ok := err.(*actors.FrameError)
			switch {
			case !ok:
				t.Fatalf("error %T, want *FrameError", err)
			case say != nil:
				t.Fatalf("both %#v and %v", say, err)
			case fe.Code != actors.ErrCodeBadFrame || !compatDecodeErrors[fe.Message]:
				t.Fatalf("error %q (%s) is not a documented refusal", fe.Message, fe.Code)
			}
			return
		}
		if !json.Valid(frame) || !bytes.HasPrefix(bytes.TrimLeft(frame, " \t\r\n"), []byte("{")) {
			t.Fatalf("accepted %q, which is not one JSON object", frame)
		}
		if !utf8.ValidString(say.Text) {
			t.Fatalf("decoded text %q is not valid UTF-8", say.Text)
		}
		again, err := (CompatCodec{}).Decode(frame)
		if err != nil || !reflect.DeepEqual(again, any(say)) {
			t.Fatalf("CompatCodec.Decode=%#v, %v; DecodeCompat=%#v", again, err, say)
		}

		out := CompatCodec{}.Encode(&actors.ConvMessage{From: actors.Party{Name: "n"}, Text: say.Text})
		// The tutorial's JSON.stringify: its field order, no HTML
		// escaping, no newline.
		quoted := new(bytes.Buffer)
		enc := json.NewEncoder(quoted)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(say.Text)
		want := `{"neiRong":` + strings.TrimSuffix(quoted.String(), "\n") + `,"shuiFaDe":"n"}`
		if string(out) != want {
			t.Fatalf("relay of %q is %s, want %s", say.Text, out, want)
		}
		var back compatOut
		if err := json.Unmarshal(out, &back); err != nil || back.NeiRong != say.Text {
			t.Fatalf("round trip of %q gave %s (%v)", say.Text, out, err)
		}

		canonical, _ := json.Marshal(compatIn{NeiRong: &say.Text})
		if again, err := DecodeCompat(canonical); err != nil || again.Text != say.Text {
			t.Fatalf("%s decodes to %#v, %v; want text %q", canonical, again, err, say.Text)
		}
	})
}
