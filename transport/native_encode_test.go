package transport

import (
	"bytes"
	"testing"
	"time"

	"kefu/actors"
)

// TestEncodeNativeFrames pins every server frame of the native protocol to
// its exact bytes, so a change in how Encode is laid out cannot change what
// clients read (docs/protocol.md shows the same frames).
func TestEncodeNativeFrames(t *testing.T) {
	for _, tc := range nativeFrameCases() {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(NativeCodec{}.Encode(tc.in)); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

type nativeFrameCase struct {
	name string
	in   any
	want string
}

// nativeFrameCases holds one value of every type Encode knows, with the
// optional fields both set and left out, and the JSON each must encode to.
func nativeFrameCases() []nativeFrameCase {
	at := time.Date(2026, 3, 4, 5, 6, 7, 8, time.FixedZone("CST", 8*3600))
	cu := actors.Party{Role: actors.RoleCustomer, ID: "cu_1", Name: "Bob"}
	ag := actors.Party{Role: actors.RoleAgent, ID: "ag_1", Name: "Ann"}
	msg := actors.ConvMessage{Conv: "cv_1", Seq: 3, From: cu, Text: "hi <b>", ClientID: "b-1", At: at}
	return []nativeFrameCase{
		{"WelcomeAgent", &actors.Welcome{You: ag, Status: actors.StatusAvailable, Capacity: 3, MaxCapacity: 50, Heartbeat: 25 * time.Second, MaxTextBytes: 8192}, `{"type":"welcome","v":1,"you":{"id":"ag_1","role":"agent","name":"Ann"},"status":"available","capacity":3,"maxCapacity":50,"heartbeatMs":25000,"maxTextBytes":8192}`},
		{"WelcomeCustomer", &actors.Welcome{You: cu, Token: "tok", State: "queued", Heartbeat: 25 * time.Second}, `{"type":"welcome","v":1,"you":{"id":"cu_1","role":"customer","name":"Bob"},"token":"tok","state":"queued","heartbeatMs":25000}`},
		{"WelcomeNoOne", &actors.Welcome{}, `{"type":"welcome","v":1,"you":null,"heartbeatMs":0}`},
		{"Queued", &actors.Queued{Position: 2, ETA: 80 * time.Second}, `{"type":"queued","position":2,"eta":80}`},
		{"QueuedMoved", &actors.Queued{Position: 9, ETA: -1, Moved: actors.MovedRequeuedAhead}, `{"type":"queued","position":9,"eta":null,"reason":"requeued_ahead"}`},
		{"Dequeued", &actors.Dequeued{}, `{"type":"dequeued"}`},
		{"ConvOpened", &actors.ConvOpened{Conv: "cv_1", Customer: cu, Agent: ag, Why: actors.WhySync, After: 2, History: []actors.ConvMessage{msg}, More: true,
			Reads:    map[string]uint64{"cu_1": 3, "ag_1": 2},
			Handoffs: []actors.Handoff{{By: ag, To: actors.Party{Role: actors.RoleAgent, ID: "ag_2", Name: "Cy"}, Note: "refund", At: at}, {By: ag, At: at}}}, `{"type":"conv","conv":"cv_1","why":"sync","customer":{"id":"cu_1","role":"customer","name":"Bob"},"agent":{"id":"ag_1","role":"agent","name":"Ann"},"after":2,"history":[{"type":"msg","conv":"cv_1","seq":3,"from":{"id":"cu_1","role":"customer","name":"Bob"},"text":"hi \u003cb\u003e","cid":"b-1","at":"2026-03-03T21:06:07.000000008Z"}],"more":true,"reads":[{"by":"ag_1","seq":2},{"by":"cu_1","seq":3}],"handoffs":[{"by":{"id":"ag_1","role":"agent","name":"Ann"},"to":{"id":"ag_2","role":"agent","name":"Cy"},"note":"refund","at":"2026-03-03T21:06:07.000000008Z"},{"by":{"id":"ag_1","role":"agent","name":"Ann"},"to":null,"at":"2026-03-03T21:06:07.000000008Z"}]}`},
		{"ConvOpenedQueued", &actors.ConvOpened{Conv: "cv_1", Customer: cu, Why: actors.WhyAssigned}, `{"type":"conv","conv":"cv_1","why":"assigned","customer":{"id":"cu_1","role":"customer","name":"Bob"},"agent":null,"after":0,"history":[]}`},
		{"History", &actors.History{Conv: "cv_1", Before: 4, Messages: []actors.ConvMessage{msg}, More: true}, `{"type":"history","conv":"cv_1","before":4,"history":[{"type":"msg","conv":"cv_1","seq":3,"from":{"id":"cu_1","role":"customer","name":"Bob"},"text":"hi \u003cb\u003e","cid":"b-1","at":"2026-03-03T21:06:07.000000008Z"}],"more":true}`},
		{"HistoryEmpty", &actors.History{Conv: "cv_1"}, `{"type":"history","conv":"cv_1","before":0,"history":[],"more":false}`},
		{"Ack", &actors.Ack{Conv: "cv_1", ClientID: "b-1", Seq: 3, At: at}, `{"type":"ack","conv":"cv_1","cid":"b-1","seq":3,"at":"2026-03-03T21:06:07.000000008Z"}`},
		{"ReadNotice", &actors.ReadNotice{Conv: "cv_1", By: ag, Seq: 3}, `{"type":"read","conv":"cv_1","by":{"id":"ag_1","role":"agent","name":"Ann"},"seq":3}`},
		{"ConvMessage", &msg, `{"type":"msg","conv":"cv_1","seq":3,"from":{"id":"cu_1","role":"customer","name":"Bob"},"text":"hi \u003cb\u003e","cid":"b-1","at":"2026-03-03T21:06:07.000000008Z"}`},
		{"ConvMessageCompatEcho", &actors.ConvMessage{From: cu, Text: "hi"}, ``}, // no conv: the compat pool's echo
		{"TypingNotice", &actors.TypingNotice{Conv: "cv_1", From: cu}, `{"type":"typing","conv":"cv_1","from":{"id":"cu_1","role":"customer","name":"Bob"}}`},
		{"AgentChanged", &actors.AgentChanged{Conv: "cv_1", Agent: ag}, `{"type":"agent","conv":"cv_1","agent":{"id":"ag_1","role":"agent","name":"Ann"}}`},
		{"AgentChangedNone", &actors.AgentChanged{Conv: "cv_1"}, `{"type":"agent","conv":"cv_1","agent":null}`},
		{"Requeued", &actors.Requeued{Conv: "cv_1", Reason: "agent_left"}, `{"type":"requeued","conv":"cv_1","reason":"agent_left"}`},
		{"ConvClosed", &actors.ConvClosed{Conv: "cv_1", By: cu, Other: ag, Reason: "ended"}, `{"type":"ended","conv":"cv_1","by":{"id":"cu_1","role":"customer","name":"Bob"},"reason":"ended"}`},
		{"ConvClosedBySystem", &actors.ConvClosed{Conv: "cv_1", Reason: "idle"}, `{"type":"ended","conv":"cv_1","by":null,"reason":"idle"}`},
		{"AgentState", &actors.AgentState{Status: actors.StatusAway, Capacity: 0}, `{"type":"state","status":"away","capacity":0}`},
		{"AgentList", &actors.AgentList{Agents: []actors.AgentInfo{{ID: "ag_1", Name: "Ann", Status: actors.StatusAvailable, Load: 1, Capacity: 3}}}, `{"type":"agents","agents":[{"id":"ag_1","name":"Ann","status":"available","load":1,"capacity":3}]}`},
		{"AgentListEmpty", &actors.AgentList{}, `{"type":"agents","agents":[]}`},
		{"FrameError", &actors.FrameError{Code: actors.ErrCodeBadFrame, Message: "no", Ref: "b-1"}, `{"type":"error","code":"bad_frame","message":"no","cid":"b-1"}`},
		{"FrameErrorNoRef", &actors.FrameError{Code: actors.ErrCodeUnknownType, Message: `unknown type "fly"`}, `{"type":"error","code":"unknown_type","message":"unknown type \"fly\""}`},
		{"Rated", &actors.Rated{Conv: "cv_1", Rating: 5}, `{"type":"rated","conv":"cv_1","rating":5}`},
		{"Heartbeat", &actors.Heartbeat{}, `{"type":"ping"}`},
		{"Pong", &actors.Pong{}, `{"type":"pong"}`},
		{"Kick", &actors.Kick{}, ``}, // the close frame says it all
		{"Unknown", "not a frame", ``},
	}
}

// TestEncodeMessageSharedByEveryParty: the frame a conversation encodes
// once for all its parties (EncodeMessage) is byte for byte what each
// party's own codec writes, whatever its role: the customer's, the
// agent's, the tutorial's as the native protocol's.
func TestEncodeMessageSharedByEveryParty(t *testing.T) {
	m := &actors.ConvMessage{Conv: "cv_x", Seq: 7, From: actors.Party{Role: actors.RoleAgent, ID: "ag_a", Name: "Ann <&>"},
		Text: "你好 </script>", ClientID: "c1", At: time.Date(2026, 12, 3, 7, 30, 0, 0, time.UTC)}
	for _, tc := range []struct {
		pool   actors.Pool
		codecs []actors.Codec
	}{
		{actors.PoolNative, []actors.Codec{NativeCodec{}}},
		{actors.PoolCompat, []actors.Codec{CompatCodec{Role: actors.RoleCustomer}, CompatCodec{Role: actors.RoleAgent}}},
	} {
		shared := EncodeMessage(tc.pool, m)
		if len(shared) == 0 {
			t.Fatalf("pool %v: no frame", tc.pool)
		}
		for _, codec := range tc.codecs {
			if own := codec.Encode(m); !bytes.Equal(own, shared) {
				t.Errorf("pool %v: %T wrote %s, the shared frame is %s", tc.pool, codec, own, shared)
			}
		}
	}
}
