package transport

import (
	"testing"
	"time"

	"kefu/actors"
)

// The hot path's wire work: decoding a client's message and encoding what
// the peers receive. Run with -benchmem: allocations per op are the point.

var benchMsgFrame = []byte(`{"type":"msg","conv":"cv_abcdefghijklmnop","text":"您好，我的订单还没到 hello","cid":"c-000123"}`)

func BenchmarkDecodeNative(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeNative(benchMsgFrame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeNativeMsg(b *testing.B) {
	m := &actors.ConvMessage{
		Conv: "cv_abcdefghijklmnop", Seq: 42, Text: "您好，我的订单还没到 hello", ClientID: "c-000123", At: time.Now(),
		From: actors.Party{Role: actors.RoleCustomer, ID: "cu_abcdefghijklmnop", Name: "Bob"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if (NativeCodec{}).Encode(m) == nil {
			b.Fatal("nothing encoded")
		}
	}
}

func BenchmarkDecodeCompat(b *testing.B) {
	frame := []byte(`{"neiRong":"您好，我的订单还没到 hello"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeCompat(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeCompatMsg(b *testing.B) {
	m := &actors.ConvMessage{Text: "您好，我的订单还没到 hello", From: actors.Party{Name: "用户123"}}
	b.ReportAllocs()
	for b.Loop() {
		if (CompatCodec{Role: actors.RoleAgent}).Encode(m) == nil {
			b.Fatal("nothing encoded")
		}
	}
}
