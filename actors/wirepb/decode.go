package wirepb

import (
	"errors"

	"github.com/asynkron/protoactor-go/remote"
)

// Proto.Actor's remote turns what it reads back into a message in two
// steps (remote/endpoint_reader.go): the proto serializer makes an
// *Envelope from its registered name, then, because an *Envelope is a
// remote.RootSerialized, calls its Deserialize. The types an envelope
// carries live in package actors, which imports this one, so actors hands
// its decoder in at init instead.

// Decoder turns an envelope into the message it carries. It never fails:
// an error here would make the remote drop the whole batch the envelope
// came in, so a decoder answers what it cannot decode with a message that
// says so.
type Decoder func(*Envelope) remote.RootSerializable

var decoder Decoder

// SetDecoder installs the one decoder, from an init function, before any
// envelope can arrive; a second call panics, as a second registration of
// a protobuf name does.
func SetDecoder(d Decoder) {
	if decoder != nil {
		panic("wirepb: SetDecoder called twice")
	}
	decoder = d
}

// errNoDecoder is only possible in a binary that links this package
// without package actors: nothing in kefu.
var errNoDecoder = errors.New("wirepb: no decoder installed (package actors not linked)")

// Deserialize gives back the message e carries.
func (e *Envelope) Deserialize() (remote.RootSerializable, error) {
	if decoder == nil {
		return nil, errNoDecoder
	}
	return decoder(e), nil
}

var _ remote.RootSerialized = (*Envelope)(nil)
