package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu/store"
)

func testMail(t *testing.T, open Opener) {
	t.Run("OKClaimSendRetry", func(t *testing.T) { testMailLifecycle(t, open(t)) })
	t.Run("OKGiveUpAndDelete", func(t *testing.T) { testMailGiveUp(t, open(t)) })
	t.Run("ErrMailInvalid", func(t *testing.T) { testMailInvalid(t, open(t)) })
	t.Run("ClaimsExclusive", func(t *testing.T) { testMailClaimsExclusive(t, open(t)) })
}

// mailFor is conversation conv's mail, queued at ms.
func mailFor(conv string, ms int) store.MailItem {
	return store.MailItem{MessageID: conv + ".3@kefu.test", Conv: conv, To: "ann@example.com", Lang: "zh", AfterSeq: 1, At: at(ms)}
}

// withMail is a batch storing conversation conv and its mail.
func withMail(conv string, ms int) *store.Batch {
	return &store.Batch{Conversations: []store.Conversation{formConv(conv, 1, "tm_a")}, Mail: []store.MailItem{mailFor(conv, ms)}}
}

func mustClaimMail(tb testing.TB, st store.MailOutbox, node string, now, until time.Time, n int) []store.Mail {
	tb.Helper()
	ms, err := st.ClaimMail(context.Background(), node, now, until, n)
	if err != nil {
		tb.Fatalf("ClaimMail(%s): %v", node, err)
	}
	return ms
}

func checkPending(tb testing.TB, st store.MailOutbox, want int) {
	tb.Helper()
	if n, err := st.MailPending(context.Background()); err != nil || n != want {
		tb.Fatalf("MailPending=%d, %v; want %d", n, err, want)
	}
}

// testMailLifecycle: a mail stored with its batch is pending once however
// often the batch is applied; one node's claim keeps it from the others
// until it runs out; a node whose claim ran out and was taken can no
// longer mark it; a retry makes it due again later; sent, it is done.
func testMailLifecycle(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustApply(t, st, withMail("c1", 0))
	mustApply(t, st, withMail("c1", 0)) // re-applied after an unknown outcome
	checkPending(t, st, 1)

	got := mustClaimMail(t, st, "n1", at(0), at(1000), 10)
	if len(got) != 1 || got[0].MailItem != mailFor("c1", 0) || got[0].Attempts != 0 {
		t.Fatalf("n1 claimed %+v, want c1's mail, no attempt before", got)
	}
	if again := mustClaimMail(t, st, "n2", at(500), at(1500), 10); len(again) != 0 {
		t.Fatalf("n2 claimed %+v while n1 held it", again)
	}
	taken := mustClaimMail(t, st, "n2", at(1000), at(2000), 10)
	if len(taken) != 1 || taken[0].Attempts != 1 {
		t.Fatalf("n2 after n1's claim ran out claimed %+v, want it with one attempt before", taken)
	}
	if err := st.MailSent(ctx, got[0].ID, "n1", at(1100)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("MailSent by n1 after n2 took it: %v, want ErrNotFound", err)
	}
	if err := st.MailRetry(ctx, taken[0].ID, "n2", at(5000), "451 try later"); err != nil {
		t.Fatal(err)
	}
	if early := mustClaimMail(t, st, "n2", at(4999), at(9000), 10); len(early) != 0 {
		t.Fatalf("claimed %+v before it was due again", early)
	}
	due := mustClaimMail(t, st, "n1", at(5000), at(9000), 10)
	if len(due) != 1 || due[0].LastError != "451 try later" || due[0].Attempts != 2 {
		t.Fatalf("claimed %+v, want it due again with its error and two attempts", due)
	}
	if err := st.MailSent(ctx, due[0].ID, "n1", at(5100)); err != nil {
		t.Fatal(err)
	}
	checkPending(t, st, 0)
	if left := mustClaimMail(t, st, "n1", at(99_000), at(100_000), 10); len(left) != 0 {
		t.Fatalf("claimed %+v after it was sent", left)
	}
}

// testMailGiveUp: a mail given up is done; sent and given-up mail is
// deleted once older than the bound, pending mail never.
func testMailGiveUp(t *testing.T, st store.Store) {
	ctx := context.Background()
	for i, conv := range []string{"c1", "c2", "c3"} {
		mustApply(t, st, withMail(conv, i))
	}
	ms := mustClaimMail(t, st, "n1", at(10), at(1000), 2) // the two oldest
	if len(ms) != 2 || ms[0].Conv != "c1" || ms[1].Conv != "c2" {
		t.Fatalf("claimed %+v, want c1's and c2's, oldest first", ms)
	}
	if err := st.MailGaveUp(ctx, ms[0].ID, "n1", at(20), "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if err := st.MailSent(ctx, ms[1].ID, "n1", at(30)); err != nil {
		t.Fatal(err)
	}
	checkPending(t, st, 1)
	if n, err := st.DeleteMailBefore(ctx, at(25)); err != nil || n != 1 {
		t.Fatalf("DeleteMailBefore(25)=%d, %v; want the one given up", n, err)
	}
	if n, err := st.DeleteMailBefore(ctx, at(100_000)); err != nil || n != 1 {
		t.Fatalf("DeleteMailBefore(later)=%d, %v; want the one sent, not the pending one", n, err)
	}
	checkPending(t, st, 1)
}

// testMailInvalid: a mail without an id, to an address that is not one,
// or for a conversation not stored, is refused with its batch.
func testMailInvalid(t *testing.T, st store.Store) {
	for name, b := range map[string]*store.Batch{
		"NoID":      {Conversations: []store.Conversation{formConv("c1", 1, "tm_a")}, Mail: []store.MailItem{{Conv: "c1", To: "a@b.cn", At: at(0)}}},
		"BadTo":     {Conversations: []store.Conversation{formConv("c2", 1, "tm_a")}, Mail: []store.MailItem{{MessageID: "m", Conv: "c2", To: "a@b.cn\r\nBcc: x@y.z", At: at(0)}}},
		"NoConv":    {Mail: []store.MailItem{mailFor("c3", 0)}},
		"EmptyTo":   {Conversations: []store.Conversation{formConv("c4", 1, "tm_a")}, Mail: []store.MailItem{{MessageID: "m4", Conv: "c4", At: at(0)}}},
		"BadClaimN": nil,
	} {
		t.Run(name, func(t *testing.T) {
			if b == nil {
				if _, err := st.ClaimMail(context.Background(), "n1", at(0), at(1), 0); !errors.Is(err, store.ErrInvalid) {
					t.Fatalf("ClaimMail of 0: %v, want ErrInvalid", err)
				}
				return
			}
			if err := st.Apply(context.Background(), b); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Apply: %v, want ErrInvalid", err)
			}
		})
	}
	checkPending(t, st, 0)
}

// testMailClaimsExclusive: nodes claiming at once never get the same mail,
// and between them get every one.
func testMailClaimsExclusive(t *testing.T, st store.Store) {
	const mails, nodes = 40, 4
	var b store.Batch
	for i := range mails {
		one := withMail(fmt.Sprintf("c%02d", i), i)
		b.Append(one)
	}
	mustApply(t, st, &b)
	var (
		mu     sync.Mutex
		byMail = map[int64]string{}
		wg     sync.WaitGroup
		errs   = make(chan error, nodes)
	)
	for n := range nodes {
		node := fmt.Sprintf("n%d", n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ms, err := st.ClaimMail(context.Background(), node, at(100), at(1_000_000), 3)
				if err != nil {
					errs <- err
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					if other, ok := byMail[m.ID]; ok {
						errs <- fmt.Errorf("mail %d claimed by %s and %s", m.ID, other, node)
					}
					byMail[m.ID] = node
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(byMail) != mails {
		t.Fatalf("claimed %d mails, want all %d", len(byMail), mails)
	}
}
