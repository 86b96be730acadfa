// Package wirepb holds the protobuf envelope that carries kefu's actor
// messages between nodes. Only protobuf crosses Proto.Actor's remote; the
// envelope names a message's type and carries its JSON. Package actors
// fills in how an envelope becomes a message again (SetDecoder), since
// this package cannot import the types it carries.
//
// envelope.pb.go is generated and committed, so a build needs neither
// protoc nor protoc-gen-go. To regenerate it: Debian's protobuf-compiler
// (/usr/bin/protoc) and
// go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.8
// (the protobuf version in go.mod), then go generate ./actors/wirepb.
package wirepb

//go:generate protoc -I../.. --go_out=../.. --go_opt=paths=source_relative actors/wirepb/envelope.proto
