package storetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"kefu/store"
)

// racers is how many goroutines contend in each concurrency test.
const racers = 20

func testConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("CreateAgentSameName", func(t *testing.T) {
		st := open(t)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				name := "Racer"
				if i%2 == 1 {
					name = strings.ToLower(name) // same name, other case
				}
				_, errs[i] = st.CreateAgent(ctx, name, []byte("h"), store.RoleAgent, 3)
			})
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrNameTaken):
				t.Fatalf("racer %d: err=%v, want nil or ErrNameTaken", i, err)
			}
		}
		if got, want := ok, 1; got != want {
			t.Fatalf("successes=%d, want %d", got, want)
		}
		if got, err := st.CountAgents(ctx); err != nil || got != 1 {
			t.Fatalf("CountAgents=%d, %v, want 1", got, err)
		}
	})
	t.Run("SecretFirstCall", func(t *testing.T) {
		st := open(t)
		keys := make([][]byte, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				var err error
				if keys[i], err = st.Secret(ctx); err != nil {
					t.Errorf("racer %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		for i, k := range keys {
			if !bytes.Equal(k, keys[0]) {
				t.Fatalf("racer %d got another secret than racer 0", i)
			}
		}
	})
}
