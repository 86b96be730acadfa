package storetest

import (
	"context"
	"errors"
	"testing"

	"kefu/store"
)

// testSettings: the widget's settings are the defaults until set, then
// what was set, replaced whole; a bad value is refused and changes
// nothing.
func testSettings(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	got, err := st.WidgetSettings(ctx)
	if err != nil || got != store.DefaultWidgetSettings() {
		t.Fatalf("before any set: %+v, %v; want the defaults", got, err)
	}
	want := store.WidgetSettings{Picker: false, Email: store.AskRequired, Question: true}
	if err := st.SetWidgetSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := st.WidgetSettings(ctx); err != nil || got != want {
		t.Fatalf("after a set: %+v, %v; want %+v", got, err, want)
	}
	if err := st.SetWidgetSettings(ctx, store.WidgetSettings{Email: "sometimes"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a bad email setting: %v, want ErrInvalid", err)
	}
	if got, _ := st.WidgetSettings(ctx); got != want {
		t.Fatalf("a refused set changed them: %+v", got)
	}
	again := store.WidgetSettings{Picker: true, Email: store.AskOptional}
	if err := st.SetWidgetSettings(ctx, again); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.WidgetSettings(ctx); got != again {
		t.Fatalf("replaced: %+v, want %+v", got, again)
	}
}
