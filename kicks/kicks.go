// Package kicks carries sign-outs to every node that shares a PostgreSQL
// store. POST /api/logout, POST /api/agents/{name}/revoke and `kefu agent
// passwd` record the refusal in the store, which every hello checks; a
// kick closes the sockets that already said hello. The gateway sends it to
// its own node's sessions actor, and publishes it here: NOTIFY on Channel,
// which each node's Listener turns back into a KickSessions for its own
// sessions actor. Sessions stay per node, as sockets do.
//
// On SQLite there is one node, and nothing here runs (Over returns nil):
// the gateway's local send is all a kick needs.
package kicks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kefu/actors"
	"kefu/store"
	"kefu/store/postgres"
)

// Channel is the NOTIFY channel kicks travel on. Channels are per
// database, not per schema: deployments that share one database in
// different schemas hear each other's kicks, which do nothing where the
// agent id (random, issued by the store) is unknown.
const Channel = "kefu_kick"

// Bus publishes kicks to, and listens for them from, every node on one
// PostgreSQL database.
type Bus struct {
	db *postgres.Store
}

// Over returns the bus over st, or nil when st is not PostgreSQL (one
// node: there is nobody else to tell).
func Over(st store.Store) *Bus {
	db, ok := st.(*postgres.Store)
	if !ok {
		return nil
	}
	return &Bus{db: db}
}

// Publish tells every node's listener, this one's too, to close the
// sockets k names. Best-effort: a node whose listener is disconnected
// misses it, and its sockets that said hello before stay until they
// reconnect (their next hello is refused by the store).
func (b *Bus) Publish(ctx context.Context, k actors.KickSessions) error {
	payload, err := encode(k)
	if err != nil {
		return err
	}
	if err := b.db.Notify(ctx, Channel, payload); err != nil {
		return fmt.Errorf("publish kick: %w", err)
	}
	return nil
}

// wireKick is a kick as NOTIFY carries it: ids only, all issued by the
// server, under names of their own so that renaming a Go field does not
// change what another node (perhaps an older binary) reads.
type wireKick struct {
	Agent   string `json:"agent"`
	TokenID string `json:"token,omitempty"`
	Below   int64  `json:"below,omitempty"`
}

// maxPayload is PostgreSQL's limit on a NOTIFY payload (8000 bytes, less
// one): a kick is a few dozen bytes, so only a bug reaches it.
const maxPayload = 7999

// errBadKick refuses a kick that names nothing to close.
var errBadKick = errors.New("a kick names an agent and a token or a generation")

func encode(k actors.KickSessions) (string, error) {
	if err := check(k); err != nil {
		return "", err
	}
	data, err := json.Marshal(wireKick{Agent: k.Agent, TokenID: k.TokenID, Below: k.Below})
	if err != nil {
		return "", fmt.Errorf("encode kick: %w", err)
	}
	if len(data) > maxPayload {
		return "", fmt.Errorf("encode kick: %d bytes, over NOTIFY's %d", len(data), maxPayload)
	}
	return string(data), nil
}

// decode reads a notification's payload. Anyone who may write to the
// database may NOTIFY, so a payload that is not a kick is refused, never
// acted on in part.
func decode(payload string) (actors.KickSessions, error) {
	var w wireKick
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		return actors.KickSessions{}, fmt.Errorf("decode kick: %w", err)
	}
	k := actors.KickSessions{Agent: w.Agent, TokenID: w.TokenID, Below: w.Below}
	if err := check(k); err != nil {
		return actors.KickSessions{}, fmt.Errorf("decode kick: %w", err)
	}
	return k, nil
}

func check(k actors.KickSessions) error {
	if k.Agent == "" || (k.TokenID == "" && k.Below <= 0) {
		return errBadKick
	}
	return nil
}
