package actors

import (
	"io"
	"log/slog"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/store"
)

// slowConvDir holds a conversation's spawn back until hold returns: the
// moment between the dispatcher's answer to a compat customer and the start
// of its conversation, made as long as a test needs.
type slowConvDir struct {
	*LocalDirectory
	hold func()
}

func (d *slowConvDir) Spawn(kind Kind, id string, props *actor.Props) (*actor.PID, error) {
	if kind == KindConv {
		d.hold()
	}
	return d.LocalDirectory.Spawn(kind, id, props)
}

// waitingLineSocket is a client that sent its first line as soon as the
// socket opened: the line is delivered the moment the actor starts reading.
type waitingLineSocket struct {
	root *actor.RootContext
	pid  *actor.PID
	line string
}

func (s *waitingLineSocket) Send([]byte) bool { return true }
func (s *waitingLineSocket) Close(Disconnect) {}
func (s *waitingLineSocket) Flush()           {}
func (s *waitingLineSocket) StartReading() {
	s.root.Send(s.pid, &InboundFrame{Data: []byte(s.line)})
}

// lineCodec reads a frame as the text of a line; what it encodes is not
// looked at.
type lineCodec struct{}

func (lineCodec) Decode(frame []byte) (any, error) { return &CmdSay{Text: string(frame)}, nil }
func (lineCodec) Encode(any) []byte                { return []byte("-") }

// TestCompatCustomerFirstLine is a fuzzing find (FuzzConnection): a
// tutorial customer whose first line came right behind its connection lost
// it when the line reached the connection before the dispatcher had
// started the conversation the line was for. The conversation's start is
// held back here until the connection has read and handled the line, if it
// reads at all before then.
func TestCompatCustomerFirstLine(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
	t.Cleanup(system.Shutdown)
	connID := ConnID(ids.New())
	dir := &slowConvDir{LocalDirectory: NewLocalDirectory(system)}
	connPID := dir.PID(KindConn, string(connID))
	dir.hold = func() {
		// Twice: the first is behind the dispatcher's answer, the second
		// behind a line the answer may have let in.
		for range 2 {
			if err := system.Root.RequestFuture(connPID, &actor.Touch{}, testWait).Wait(); err != nil {
				t.Errorf("connection did not answer: %v", err)
			}
		}
	}
	f := &fixture{t: t, system: system, dir: dir.LocalDirectory}
	dir.UseKinds(&Kinds{Dir: dir, Store: store.Discard{}, Log: log})
	if _, err := dir.Spawn(KindStore, StoreWriterID, NewStoreWriterProps(StoreWriterConfig{Store: store.Discard{}, Log: log})); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.dispatcher, err = dir.Spawn(KindDispatcher, DispatcherID(PoolCompat), NewDispatcherProps(DispatcherConfig{Pool: PoolCompat, Dir: dir, Log: log})); err != nil {
		t.Fatal(err)
	}
	agentConn := f.probe()
	agent := Party{Role: RoleAgent, ID: ids.Compat + ids.New(), Name: "A"}
	if res, ok := f.ask(&AgentConnect{Agent: agent, Conn: agentConn.id, Pool: PoolCompat}).(*AgentAdmitted); !ok {
		t.Fatalf("agent not admitted: %#v", res)
	}

	sock := &waitingLineSocket{root: system.Root, pid: connPID, line: "first line"}
	if _, err := dir.Spawn(KindConn, string(connID), NewConnectionProps(ConnConfig{
		ID: connID, Pool: PoolCompat, Role: RoleCustomer, Name: "B",
		Socket: sock, Codec: lineCodec{}, Dir: dir, MaxTextBytes: 8192, Log: log,
	})); err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, agentConn, func(m *ConvMessage) bool { return m.Text == sock.line })
	if got, want := got.From.Name, "B"; got != want {
		t.Fatalf("line from %q, want %q", got, want)
	}
}
