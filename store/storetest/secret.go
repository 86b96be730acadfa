package storetest

import (
	"bytes"
	"context"
	"testing"
)

func testSecret(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		first, err := st.Secret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(first), 32; got != want {
			t.Fatalf("len=%d, want %d", got, want)
		}
		if bytes.Equal(first, make([]byte, 32)) {
			t.Fatal("secret is all zeros")
		}
		again, err := st.Secret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, first) {
			t.Fatal("second call returned another secret")
		}
	})
	t.Run("OKPerStore", func(t *testing.T) {
		a, err := open(t).Secret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := open(t).Secret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, b) {
			t.Fatal("two new stores share a secret: it is not random")
		}
	})
}
