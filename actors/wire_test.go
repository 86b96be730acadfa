package actors

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"

	"kefu/actors/wirepb"
)

// protoSerializerID is the serializer the remote's endpoint writer uses:
// its serializerID is never set, so 0, the proto serializer, registered
// first (remote/serializer.go).
const protoSerializerID int32 = 0

// notMessages is every exported struct type in this package that is not a
// message at all, so in neither crossing nor nodeLocal.
var notMessages = []any{
	// What an actor starts with, and the local Directory.
	new(ConnConfig), new(DispatcherConfig), new(Kinds),
	new(MonitorConfig), new(NodeReporterConfig), new(StoreWriterConfig), new(HistoryLimits), new(LocalDirectory),
	// Parts of messages: they cross inside them, and the round trip covers them.
	new(Party), new(Handoff), new(AgentInfo), new(AgentStat), new(TeamStat), new(SupervisionPoint), new(TeamPoint),
	new(InboxStart), new(InboxItem), new(ConvNote),
	new(Percentiles), new(Disconnect), new(Session),
	// An error the Authenticator returns, never sent.
	new(AuthError),
	// A part of a message that stays on its node (ConvMessage.Frame).
	new(EncodedFrame),
}

// droppedOnWire is every field, as Type.Field, of a crossing type or a
// part of one that deliberately does not cross (json:"-"), with why.
var droppedOnWire = map[string]string{
	"ConvMessage.Stored": "a process-local metrics.Stamp: the latency metric counts same-node deliveries",
	"ConvMessage.Frame":  "bytes encoded on this node to save each party its own encoding; the receiving node encodes its own",
}

// trip sends m the way the remote does: Serialize, the proto serializer
// out and back in, then the envelope's Deserialize.
func trip(t *testing.T, m remote.RootSerializable) remote.RootSerializable {
	t.Helper()
	onWire, err := m.Serialize()
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	data, typeName, err := remote.Serialize(onWire, protoSerializerID)
	if err != nil {
		t.Fatalf("remote.Serialize: %v", err)
	}
	read, err := remote.Deserialize(data, typeName, protoSerializerID)
	if err != nil {
		t.Fatalf("remote.Deserialize: %v", err)
	}
	rs, ok := read.(remote.RootSerialized)
	if !ok {
		t.Fatalf("read back %T, want a remote.RootSerialized", read)
	}
	back, err := rs.Deserialize()
	if err != nil {
		t.Fatalf("Deserialize: %v", err)
	}
	return back
}

func crossingNames() []string {
	names := make([]string, 0, len(crossing))
	for name := range crossing {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// TestWireRoundTrip proves every crossing type arrives whole on another
// node: every field set, none lost, none changed.
func TestWireRoundTrip(t *testing.T) {
	for _, name := range crossingNames() {
		t.Run(name, func(t *testing.T) {
			t.Run("Filled", func(t *testing.T) {
				m := crossing[name]()
				f := filler{}
				f.fill(reflect.ValueOf(m).Elem(), name)
				for _, problem := range f.problems {
					t.Error(problem)
				}
				if t.Failed() {
					return
				}
				if got := trip(t, m); !reflect.DeepEqual(got, m) {
					t.Errorf("after the trip\n got %+v\nwant %+v", got, m)
				}
			})
			t.Run("Zero", func(t *testing.T) {
				m := crossing[name]()
				if got := trip(t, m); !reflect.DeepEqual(got, m) {
					t.Errorf("after the trip\n got %+v\nwant %+v", got, m)
				}
			})
		})
	}
}

// TestWireDroppedField proves ConvMessage.Stored stays on its node.
func TestWireDroppedField(t *testing.T) {
	got := trip(t, &ConvMessage{Seq: 1, Stored: 42}).(*ConvMessage)
	if got.Stored != 0 || got.Seq != 1 {
		t.Fatalf("got Seq=%d Stored=%d, want 1 and 0", got.Seq, got.Stored)
	}
}

func TestWireUndecodable(t *testing.T) {
	for _, tc := range []struct {
		name, typ, json, why string
	}{
		{"UnknownType", "NoSuchMessage", `{"A":1}`, whyUnknownType},
		{"BadJSON", "Post", `{"Text":5}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent := &Undecodable{Type: tc.typ, JSON: []byte(tc.json)} // Serialize sends an envelope on as is
			got, ok := trip(t, sent).(*Undecodable)
			if !ok {
				t.Fatalf("got %T, want *Undecodable", got)
			}
			if got.Type != tc.typ || string(got.JSON) != tc.json {
				t.Errorf("got Type=%q JSON=%s, want %q %s", got.Type, got.JSON, tc.typ, tc.json)
			}
			if tc.why != "" && got.Why != tc.why || got.Why == "" {
				t.Errorf("Why=%q, want %q (or any reason for bad JSON)", got.Why, tc.why)
			}
		})
	}
}

// filler sets every field of a value to something non-zero, and notes each
// field that cannot cross: unexported, an interface (error, any), a func,
// a channel, a *actor.PID, or json:"-" without a reason in droppedOnWire.
type filler struct {
	n        int
	problems []string
}

var (
	timeType = reflect.TypeFor[time.Time]()
	addrType = reflect.TypeFor[netip.Addr]()
	pidType  = reflect.TypeFor[*actor.PID]()
)

func (f *filler) fill(v reflect.Value, path string) {
	f.n++
	if strings.Count(path, ".") > 8 {
		f.problems = append(f.problems, path+": nested too deep (a cycle?)")
		return
	}
	switch v.Type() {
	case timeType: // UTC, no monotonic reading: what JSON keeps
		v.Set(reflect.ValueOf(time.Date(2024, 5, 6, 7, 8, 9, f.n, time.UTC)))
		return
	case addrType:
		v.Set(reflect.ValueOf(netip.AddrFrom4([4]byte{192, 0, 2, byte(f.n)})))
		return
	case pidType:
		f.problems = append(f.problems, path+": a *actor.PID cannot cross (send an id, resolve it through the Directory)")
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.n) + 0.5)
	case reflect.String:
		v.SetString(fmt.Sprintf("%s#%d", path, f.n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), path)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			f.fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			f.fill(k, path+"[key]")
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(e, path+"[value]")
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			field := v.Type().Field(i)
			fieldPath := path + "." + field.Name
			switch {
			case !field.IsExported():
				f.problems = append(f.problems, fieldPath+": unexported, so JSON drops it")
			case field.Tag.Get("json") == "-":
				if droppedOnWire[v.Type().Name()+"."+field.Name] == "" {
					f.problems = append(f.problems, fieldPath+`: json:"-" without a reason in droppedOnWire`)
				}
			default:
				f.fill(v.Field(i), fieldPath)
			}
		}
	default: // interfaces (error, any), funcs, channels, complex numbers
		f.problems = append(f.problems, fmt.Sprintf("%s: a %s cannot cross", path, v.Type()))
	}
}

// TestWireClassified fails on an exported struct type of this package that
// is in none of crossing, nodeLocal and notMessages, or in more than one:
// a new message type cannot be forgotten. And on a message type that a
// Receive takes but notMessages claims is none, or a Serialize method on a
// type not in crossing.
func TestWireClassified(t *testing.T) {
	lists := map[string][]string{"crossing": crossingNames()}
	for list, types := range map[string][]any{"nodeLocal": nodeLocal, "notMessages": notMessages} {
		for _, m := range types {
			lists[list] = append(lists[list], wireName(m))
		}
	}
	in := func(name string) (found []string) {
		for list, names := range lists {
			if slices.Contains(names, name) {
				found = append(found, list)
			}
		}
		slices.Sort(found)
		return found
	}

	structs, received, serializable := scanPackage(t)
	for _, name := range structs {
		switch found := in(name); len(found) {
		case 0:
			t.Errorf("%s: an exported struct type in none of crossing (wire.go), nodeLocal (wire_local.go) or notMessages (wire_test.go): say whether it crosses nodes", name)
		case 1:
		default:
			t.Errorf("%s: in %v, want exactly one", name, found)
		}
	}
	for _, name := range received {
		if slices.Equal(in(name), []string{"notMessages"}) {
			t.Errorf("%s: a Receive takes it, so it is a message: crossing or nodeLocal, not notMessages", name)
		}
	}
	for _, name := range serializable {
		if name != "Undecodable" && !slices.Equal(in(name), []string{"crossing"}) {
			t.Errorf("%s: has Serialize but is not in crossing, so the other node could not decode it", name)
		}
	}
}

// scanPackage reads this package's non-test files: its exported struct
// types, the exported types its type switches take as *T, and the types
// with a Serialize method.
func scanPackage(t *testing.T) (structs, received, serializable []string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.TypeSpec:
				if _, ok := n.Type.(*ast.StructType); ok && n.Name.IsExported() {
					structs = append(structs, n.Name.Name)
				}
			case *ast.TypeSwitchStmt:
				for _, clause := range n.Body.List {
					for _, e := range clause.(*ast.CaseClause).List {
						if star, ok := e.(*ast.StarExpr); ok {
							if id, ok := star.X.(*ast.Ident); ok && id.IsExported() {
								received = append(received, id.Name)
							}
						}
					}
				}
			case *ast.FuncDecl:
				if n.Recv != nil && n.Name.Name == "Serialize" {
					if star, ok := n.Recv.List[0].Type.(*ast.StarExpr); ok {
						serializable = append(serializable, star.X.(*ast.Ident).Name)
					}
				}
			}
			return true
		})
	}
	if len(structs) == 0 {
		t.Fatal("found no struct types: is the test running in actors/?")
	}
	return structs, received, serializable
}

var _ remote.RootSerialized = (*wirepb.Envelope)(nil)
