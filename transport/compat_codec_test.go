package transport

import (
	"encoding/json"
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
		"OtherKickSilent": {actors.RoleCustomer, &actors.Kick{Reason: actors.DisconnectRoomGone}, ``},
		"Error":           {actors.RoleAgent, &actors.FrameError{Code: "bad_frame", Message: "m"}, `{"neiRong":"错误：m (bad_frame)","shuiFaDe":"系统"}`},
		"WelcomeSilent":   {actors.RoleAgent, &actors.Welcome{You: agent}, ``},
		"Unknown":         {actors.RoleAgent, struct{}{}, ``},
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
		for _, frame := range []string{``, `null`, `"x"`, `[]`, `{}`, `{"neiRong":1}`, `{"neiRong":null}`, `{"neiRong":"a"} x`, `{"neiRong":"a"`} {
			_, err := DecodeCompat([]byte(frame))
			fe, ok := err.(*actors.FrameError)
			if !ok || fe.Code != actors.ErrCodeBadFrame {
				t.Errorf("DecodeCompat(%s) err=%v, want a %s FrameError", frame, err, actors.ErrCodeBadFrame)
			}
		}
	})
}

// FuzzDecodeCompat checks the decoder never panics, refuses only with a
// FrameError, and that whatever it accepts re-encodes to an equal text.
func FuzzDecodeCompat(f *testing.F) {
	for _, seed := range []string{`{"neiRong":"你好"}`, `{"neiRong":""}`, `{"neiRong":1}`, `{}`, `{"neiRong":"a"}{"neiRong":"b"}`, `{"neiRong":"\u0000"}`, "\xff"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		say, err := DecodeCompat(frame)
		if err != nil {
			if _, ok := err.(*actors.FrameError); !ok {
				t.Fatalf("error %T, want *FrameError", err)
			}
			return
		}
		if !utf8.Valid(frame) {
			return // the connection refuses invalid UTF-8 before decoding
		}
		out := CompatCodec{}.Encode(&actors.ConvMessage{From: actors.Party{Name: "n"}, Text: say.Text})
		var back compatOut
		if err := json.Unmarshal(out, &back); err != nil || back.NeiRong != say.Text {
			t.Fatalf("round trip of %q gave %s (%v)", say.Text, out, err)
		}
	})
}
