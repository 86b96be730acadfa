package actors

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"kefu/hours"
	"kefu/internal/poll"
	"kefu/limit"
	"kefu/store"
)

// TestFormParkedAndTaken: a customer's offline form is stored (record in
// the team's inbox, message 1) before the customer hears "left" and the
// team's agents hear of it; an agent of another team neither sees nor
// takes it; a member takes it, and both sides get the conversation with
// the message; the store no longer has it in the inbox.
func TestFormParkedAndTaken(t *testing.T) {
	st := sqliteStore(t)
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_x", 1, "xena")
	f.setTeam("tm_y", 1, "yuri")
	x, xp := f.agent("xena", 1)
	y, _ := f.agent("yuri", 1)
	f.send(f.dispatcher, &SetAgentStatus{Agent: x.ID, Status: StatusAway}) // takes nobody from the queue
	c, cp := f.customer("carol")

	f.send(f.dispatcher, &LeaveForm{Customer: c.ID, Team: "tm_x", Email: "carol@example.com", Lang: "zh", Text: "订单 42 没到", CID: "f1"})
	left := waitFor[*FormLeft](t, cp, nil)
	if left.Team != "tm_x" || left.CID != "f1" || left.Conv == "" {
		t.Fatalf("left=%+v", left)
	}
	rec, err := st.Conversation(context.Background(), string(left.Conv))
	if err != nil || !rec.Inbox || rec.Origin != store.OriginForm || rec.CustomerEmail != "carol@example.com" || rec.Team != "tm_x" {
		t.Fatalf("stored %+v, %v: want in tm_x's inbox, a form with the email", rec, err)
	}
	added := waitFor[*InboxChanged](t, xp, func(m *InboxChanged) bool { return m.Added != nil })
	if added.Added.Conv != left.Conv || added.Added.Preview != "订单 42 没到" {
		t.Fatalf("inboxed=%+v", added.Added)
	}
	if fe, ok := f.ask(&ListInbox{Agent: y.ID, Team: "tm_x"}).(*FrameError); !ok || fe.Code != ErrCodeUnknownTeam {
		t.Fatalf("yuri listed tm_x: %#v", fe)
	}
	if fe, ok := f.ask(&TakeInbox{Agent: y.ID, Conv: left.Conv}).(*FrameError); !ok || fe.Code != ErrCodeUnknownConv {
		t.Fatalf("yuri took tm_x's form: %#v", fe)
	}
	page := f.ask(&ListInbox{Agent: x.ID, Team: "tm_x"}).(*InboxPage)
	if len(page.Items) != 1 || page.Items[0].Conv != left.Conv || page.Items[0].Email != "carol@example.com" {
		t.Fatalf("page=%+v", page)
	}
	if fe, ok := f.ask(&TakeInbox{Agent: x.ID, Conv: left.Conv}).(*FrameError); !ok || fe.Code != ErrCodeUnavailable {
		t.Fatalf("an away agent took a form: %#v", fe)
	}
	f.send(f.dispatcher, &SetAgentStatus{Agent: x.ID, Status: StatusAvailable})
	f.send(f.dispatcher, &TakeInbox{Agent: x.ID, Conv: left.Conv})
	opened := waitFor[*ConvOpened](t, xp, nil)
	if opened.Why != WhyTaken || len(opened.History) != 1 || opened.History[0].Text != "订单 42 没到" {
		t.Fatalf("xena's conv=%+v", opened)
	}
	if got := waitFor[*ConvOpened](t, cp, nil); got.Conv != left.Conv {
		t.Fatalf("carol's conv %s, want %s", got.Conv, left.Conv)
	}
	if page := f.ask(&ListInbox{Agent: x.ID, Team: "tm_x"}).(*InboxPage); len(page.Items) != 0 {
		t.Fatalf("still in the inbox: %+v", page)
	}
	poll.Until(t, testWait, "the form stored out of the inbox, xena's", func() bool {
		rec, err := st.Conversation(context.Background(), string(left.Conv))
		return err == nil && !rec.Inbox && rec.AgentID == x.ID
	})
}

// TestFormRestored: a form waiting in an inbox at a restart is in its
// team's inbox again, not in a queue.
func TestFormRestored(t *testing.T) {
	st := sqliteStore(t)
	now := time.Now()
	b := &store.Batch{
		Conversations: []store.Conversation{{ID: "cv_form1", CustomerID: "cu_dan", CustomerName: "Dan", Ticket: 7, StartedAt: now, Team: "tm_general", Origin: store.OriginForm, Inbox: true}},
		Messages:      []store.Message{{Conv: "cv_form1", Seq: 1, SenderID: "cu_dan", SenderRole: "customer", SenderName: "Dan", Text: "hello?", At: now}},
	}
	if err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	restore, _, err := ReadRestore(context.Background(), st, now, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(restore.Convs) != 0 || len(restore.Inbox) != 1 || restore.Inbox[0].Preview != "hello?" || restore.Inbox[0].Team != "tm_general" {
		t.Fatalf("restore: convs %d, inbox %+v", len(restore.Convs), restore.Inbox)
	}
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.send(f.dispatcher, restore)
	a, _ := f.agent("ann", 1)
	page := f.ask(&ListInbox{Agent: a.ID, Team: "tm_general"}).(*InboxPage)
	if len(page.Items) != 1 || page.Items[0].Conv != "cv_form1" {
		t.Fatalf("page=%+v", page)
	}
	if s := f.stats(); s.Queued != 0 || s.Conversations != 0 {
		t.Fatalf("stats=%+v: a form is neither queued nor open", s)
	}
}

// TestInboxFull: past InboxMax a form is refused inbox_full with its cid,
// and nothing is started.
func TestInboxFull(t *testing.T) {
	st := sqliteStore(t)
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute, InboxMax: 1})
	c1, p1 := f.customer("one")
	f.send(f.dispatcher, &LeaveForm{Customer: c1.ID, Text: "first", CID: "a"})
	waitFor[*FormLeft](t, p1, nil)
	c2, _ := f.customer("two")
	fe, ok := f.ask(&LeaveForm{Customer: c2.ID, Text: "second", CID: "b"}).(*FrameError)
	if !ok || fe.Code != ErrCodeInboxFull || fe.Ref != "b" {
		t.Fatalf("second form answered %#v, want inbox_full for cid b", fe)
	}
	if fe, ok := f.ask(&LeaveForm{Customer: c1.ID, Text: "again", CID: "c"}).(*FrameError); !ok || fe.Code != ErrCodeState {
		t.Fatalf("a second form of the same customer answered %#v, want wrong_state", fe)
	}
}

// TestFormRate: past Forms an address's next form is refused rate_limited
// with its cid, whichever customer sends it; another address may.
func TestFormRate(t *testing.T) {
	st := sqliteStore(t)
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute, Forms: limit.Rate{Limit: rate.Every(time.Hour), Burst: 1}})
	home, office := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	c1, p1 := f.customer("one")
	f.send(f.dispatcher, &LeaveForm{Customer: c1.ID, Addr: home, Text: "first", CID: "a"})
	waitFor[*FormLeft](t, p1, nil)
	c2, _ := f.customer("two")
	over, ok := f.ask(&LeaveForm{Customer: c2.ID, Addr: home, Text: "second", CID: "b"}).(*OverLimit)
	if !ok || over.Kind != limit.Forms || over.Err.Code != ErrCodeRateLimited || over.Err.Ref != "b" {
		t.Fatalf("a second form from the address answered %#v, want rate_limited for cid b", over)
	}
	c3, p3 := f.customer("three")
	f.send(f.dispatcher, &LeaveForm{Customer: c3.ID, Addr: office, Text: "third", CID: "c"})
	waitFor[*FormLeft](t, p3, nil)
}

// TestArchivedTeamInboxToGeneral: archiving a team with forms waiting
// moves them to the general team's inbox, which every agent sees: no
// console lists an archived team, and each customer waits on its form.
func TestArchivedTeamInboxToGeneral(t *testing.T) {
	st := sqliteStore(t)
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_x", 1, "xena")
	x, _ := f.agent("xena", 1)
	c, cp := f.customer("carol")
	f.send(f.dispatcher, &LeaveForm{Customer: c.ID, Team: "tm_x", Text: "hello?", CID: "f1"})
	left := waitFor[*FormLeft](t, cp, nil)
	f.send(f.dispatcher, &TeamChanged{Team: store.Team{ID: "tm_x", Name: "x", Version: 2, ArchivedAt: time.Now(), Members: []string{x.ID}}})
	page := f.ask(&ListInbox{Agent: x.ID, Team: store.GeneralTeamID}).(*InboxPage)
	if len(page.Items) != 1 || page.Items[0].Conv != left.Conv || page.Items[0].Team != store.GeneralTeamID {
		t.Fatalf("general inbox=%+v, want the archived team's form", page)
	}
}

// TestParkedFiledOnce: a ConvParked for a form the dispatcher never
// started (its restore read the store before the form's commit) files it,
// and one for a form already filed changes nothing.
func TestParkedFiledOnce(t *testing.T) {
	f := newStoreFixture(t, sqliteStore(t), DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	a, ap := f.agent("ann", 1)
	item := InboxItem{Conv: "cv_late", Team: store.GeneralTeamID, Customer: Party{Role: RoleCustomer, ID: "cu_dan", Name: "Dan"}, Preview: "hi", Ticket: 3, At: time.Now()}
	f.send(f.dispatcher, &ConvParked{Item: item})
	f.send(f.dispatcher, &ConvParked{Item: item})
	waitFor[*InboxChanged](t, ap, func(m *InboxChanged) bool { return m.Added != nil && m.Added.Conv == "cv_late" })
	page := f.ask(&ListInbox{Agent: a.ID, Team: store.GeneralTeamID}).(*InboxPage)
	if len(page.Items) != 1 || page.Items[0].Conv != "cv_late" {
		t.Fatalf("inbox=%+v, want the late form once", page)
	}
}

// TestTakenFormBackToInbox: a form taken while its customer is away goes
// back to its team's inbox, stored so, when its agent is lost or hands it
// to another team, not to a queue where an away customer is passed over
// and no agent would see it. The next agent takes it with what the first
// one wrote. A customer who is here is re-queued as before.
func TestTakenFormBackToInbox(t *testing.T) {
	st := sqliteStore(t)
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_x", 1, "xena", "xavi")
	f.setTeam("tm_y", 1, "yuri")
	c, cp := f.customer("carol")
	f.send(f.dispatcher, &LeaveForm{Customer: c.ID, Team: "tm_x", Text: "where is my parcel?", CID: "f1"})
	conv := waitFor[*FormLeft](t, cp, nil).Conv
	f.system.Root.Stop(cp.pid) // carol leaves
	f.waitStats("carol gone", func(s Stats) bool { return s.Customers == 0 })

	inInbox := func(team string) {
		t.Helper()
		poll.Until(t, testWait, "the form stored in "+team+"'s inbox, with no agent", func() bool {
			rec, err := st.Conversation(context.Background(), string(conv))
			return err == nil && rec.Inbox && rec.AgentID == "" && rec.Team == team && rec.EndedAt.IsZero()
		})
	}
	listed := func(agent Party, team string) {
		t.Helper()
		poll.Until(t, testWait, team+"'s inbox lists the form", func() bool {
			page, ok := f.ask(&ListInbox{Agent: agent.ID, Team: team}).(*InboxPage)
			return ok && len(page.Items) == 1 && page.Items[0].Conv == conv && page.Items[0].Ticket != 0
		})
	}

	// Lost: xena takes it, answers, and her account is removed.
	x, xp := f.agent("xena", 1)
	f.send(f.dispatcher, &TakeInbox{Agent: x.ID, Conv: conv})
	waitFor[*ConvOpened](t, xp, func(m *ConvOpened) bool { return m.Why == WhyTaken })
	f.send(f.dir.PID(KindConv, string(conv)), &Post{From: x, Conn: xp.id, Text: "it left the depot today", ClientID: "x1"})
	waitFor[*Ack](t, xp, nil)
	f.send(f.dispatcher, &RemoveAgent{Agent: x.ID})
	inInbox("tm_x")
	xv, xvp := f.agent("xavi", 1)
	listed(xv, "tm_x")
	if s := f.stats(); s.Queued != 0 {
		t.Fatalf("stats=%+v: the form is in a queue", s)
	}

	// Handed on: xavi takes it, with xena's answer, and sends it to tm_y.
	f.send(f.dispatcher, &TakeInbox{Agent: xv.ID, Conv: conv})
	opened := waitFor[*ConvOpened](t, xvp, func(m *ConvOpened) bool { return m.Why == WhyTaken })
	if n := len(opened.History); n != 2 || opened.History[1].Text != "it left the depot today" {
		t.Fatalf("xavi's conv=%+v, want the form and xena's answer", opened.History)
	}
	f.send(f.dispatcher, &TransferConv{Conv: conv, By: xv.ID, To: "tm_y"}) // answered only on refusal
	waitFor[*ConvClosed](t, xvp, nil)
	inInbox("tm_y")
	y, _ := f.agent("yuri", 1)
	listed(y, "tm_y")
}

// TestTakenFormBackToInboxAfterMove: a form sent back to its inbox whose
// actor moved before that was stored (its record still names the lost
// agent) is sent back by its next activation, told so by its start.
func TestTakenFormBackToInboxAfterMove(t *testing.T) {
	st := sqliteStore(t)
	now := time.Now()
	const conv = "cv_moved_form"
	b := &store.Batch{
		Conversations: []store.Conversation{{ID: conv, CustomerID: "cu_dan", CustomerName: "Dan", AgentID: "ag_gone", AgentName: "Gone",
			Ticket: 7, StartedAt: now, Team: "tm_general", Origin: store.OriginForm}},
		Messages: []store.Message{{Conv: conv, Seq: 1, SenderID: "cu_dan", SenderRole: "customer", SenderName: "Dan", Text: "hello?", At: now}},
	}
	if err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	if _, err := f.dir.Activate(KindConv, conv, &StartConv{
		ID: conv, Pool: PoolNative, Ticket: 7, Team: "tm_general", Restore: true, Rehomed: true, ToInbox: true,
		Customer: Party{Role: RoleCustomer, ID: "cu_dan", Name: "Dan"}, AwaitCustomer: true,
	}); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, testWait, "the form stored in its inbox, with no agent", func() bool {
		rec, err := st.Conversation(context.Background(), conv)
		return err == nil && rec.Inbox && rec.AgentID == "" && rec.EndedAt.IsZero()
	})
	a, _ := f.agent("ann", 1)
	poll.Until(t, testWait, "the inbox lists it", func() bool {
		page, ok := f.ask(&ListInbox{Agent: a.ID, Team: "tm_general"}).(*InboxPage)
		return ok && len(page.Items) == 1 && page.Items[0].Conv == conv && page.Items[0].Ticket == 7
	})
}

// takenAway sets up a form taken by xena while its customer carol is
// away, with xena's answer stored: what the send-back tests start from.
func takenAway(t *testing.T, f *fixture) (conv ConvID, carol, xena Party, xp *probe) {
	t.Helper()
	f.setTeam("tm_x", 1, "xena", "xavi")
	carol, cp := f.customer("carol")
	f.send(f.dispatcher, &LeaveForm{Customer: carol.ID, Team: "tm_x", Text: "where is my parcel?", CID: "f1"})
	conv = waitFor[*FormLeft](t, cp, nil).Conv
	f.system.Root.Stop(cp.pid)
	f.waitStats("carol gone", func(s Stats) bool { return s.Customers == 0 })
	xena, xp = f.agent("xena", 1)
	f.send(f.dispatcher, &TakeInbox{Agent: xena.ID, Conv: conv})
	waitFor[*ConvOpened](t, xp, func(m *ConvOpened) bool { return m.Why == WhyTaken })
	f.send(f.dir.PID(KindConv, string(conv)), &Post{From: xena, Conn: xp.id, Text: "it left the depot", ClientID: "x1"})
	waitFor[*Ack](t, xp, nil)
	return conv, carol, xena, xp
}

// TestSendBackCrossesEnd: an Unassign to the inbox that reaches a
// conversation whose end is decided (the dispatcher hears of the end only
// at ConvFinished) leaves it ending: it ends, stored so, and is in no
// inbox.
func TestSendBackCrossesEnd(t *testing.T) {
	st := sqliteStore(t)
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	conv, _, xena, xp := takenAway(t, f)
	f.end(conv, xena, xp)
	f.send(f.dir.PID(KindConv, string(conv)), &Unassign{Reason: ReasonAgentLost, Team: "tm_x", ToInbox: true})
	poll.Until(t, testWait, "the conversation ended, not in the inbox", func() bool {
		rec, err := st.Conversation(context.Background(), string(conv))
		return err == nil && !rec.EndedAt.IsZero() && !rec.Inbox
	})
	f.waitStats("no conversation open", func(s Stats) bool { return s.Conversations == 0 })
	xv, _ := f.agent("xavi", 1)
	if page := f.ask(&ListInbox{Agent: xv.ID, Team: "tm_x"}).(*InboxPage); len(page.Items) != 0 {
		t.Fatalf("inbox=%+v, want it empty", page.Items)
	}
}

// sendBackHeld takes a form away from its customer (takenAway), removes
// its agent, and holds the store's next write: the form is on its way
// back to the inbox until release.
func sendBackHeld(t *testing.T) (f *fixture, conv ConvID, carol Party, release func()) {
	t.Helper()
	gs := &gatedStore{Conversations: sqliteStore(t)}
	f = newStoreFixture(t, gs, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	conv, carol, xena, _ := takenAway(t, f)
	begun, release := gs.arm()
	f.send(f.dispatcher, &RemoveAgent{Agent: xena.ID})
	<-begun // the send-back's write (or a write before it) is held
	return f, conv, carol, release
}

// TestSendBackCustomerReturns: a customer back while its form is on its
// way back to the inbox is told it waits in the inbox, not that it is in
// a chat (whose actor is about to stop), and hears "left" once stored.
func TestSendBackCustomerReturns(t *testing.T) {
	f, conv, carol, release := sendBackHeld(t)
	back := f.probe()
	res, ok := f.ask(&CustomerConnect{Customer: carol, Conn: back.id, Pool: PoolNative}).(*CustomerAdmitted)
	release()
	if !ok || res.Inbox != conv || res.Conv != "" {
		t.Fatalf("admitted %+v, want in the inbox with %s", res, conv)
	}
	if left := waitFor[*FormLeft](t, back, nil); left.Conv != conv || left.Team != "tm_x" {
		t.Fatalf("left=%+v", left)
	}
}

// TestSendBackFails: a form whose actor fails on its way back to the
// inbox is filed there all the same, from what the dispatcher kept.
func TestSendBackFails(t *testing.T) {
	f, conv, _, release := sendBackHeld(t)
	defer release()
	f.system.Root.Stop(f.dir.PID(KindConv, string(conv))) // it fails before it parks
	xv, _ := f.agent("xavi", 1)
	poll.Until(t, testWait, "the form in tm_x's inbox", func() bool {
		page, ok := f.ask(&ListInbox{Agent: xv.ID, Team: "tm_x"}).(*InboxPage)
		return ok && len(page.Items) == 1 && page.Items[0].Conv == conv && page.Items[0].Preview == "where is my parcel?"
	})
}

// TestSendBackToClosedTeam: a form whose customer is away may be handed
// to a team closed by its hours, whose inbox takes forms while closed; an
// archived team is refused still.
func TestSendBackToClosedTeam(t *testing.T) {
	st := sqliteStore(t)
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	conv, _, xena, xp := takenAway(t, f)
	f.send(f.dispatcher, &TeamChanged{Team: store.Team{ID: "tm_shut", Name: "shut", Version: 1, Hours: hours.Spec{TimeZone: "UTC"}}})
	f.send(f.dispatcher, &TeamChanged{Team: store.Team{ID: "tm_old", Name: "old", Version: 1, Hours: hours.Spec{AlwaysOpen: true}, ArchivedAt: time.Now()}})
	if fe, ok := f.ask(&TransferConv{Conv: conv, By: xena.ID, To: "tm_old"}).(*FrameError); !ok || fe.Code != ErrCodeUnknownTeam {
		t.Fatalf("to an archived team: %#v, want %s", fe, ErrCodeUnknownTeam)
	}
	f.send(f.dispatcher, &TransferConv{Conv: conv, By: xena.ID, To: "tm_shut"})
	waitFor[*ConvClosed](t, xp, nil)
	poll.Until(t, testWait, "the form in tm_shut's inbox", func() bool {
		rec, err := st.Conversation(context.Background(), string(conv))
		return err == nil && rec.Inbox && rec.Team == "tm_shut"
	})
}
