package server

// This file holds the node's side of attachments (issue 19): the key that
// signs upload references, derived from the store's secret so every node
// of a cluster checks every other's, and the sweep that deletes uploads
// no message ever showed (-upload-unsent-ttl).

import (
	"cmp"
	"context"
	"time"

	"kefu/attach"
	"kefu/transport"
)

// UploadsConfig is the attachment settings; zero values take the
// defaults.
type UploadsConfig struct {
	MaxBytes  int64         // -upload-max (zero: attach.DefaultMaxBytes)
	Types     attach.Types  // -upload-types (nil: attach.DefaultTypes)
	Timeout   time.Duration // -upload-timeout (zero: transport.DefaultUploadTimeout)
	UnsentTTL time.Duration // -upload-unsent-ttl (zero: DefaultUnsentTTL; negative: never swept)
}

// DefaultUnsentTTL is how long an upload may wait for its message: long
// enough for a client that went offline between the two to come back.
const DefaultUnsentTTL = 24 * time.Hour

// sweepEvery is how often the sweep looks for unsent uploads.
const sweepEvery = 10 * time.Minute

// refMaxAge is how long an upload's reference may be sent in a message:
// shorter than the sweep's TTL by a margin (10 minutes, or half a short
// TTL), so that a message is never stored naming an upload the sweep has
// deleted or is about to. A TTL that never sweeps gives references that
// never expire.
func refMaxAge(ttl time.Duration) time.Duration {
	if ttl < 0 {
		return 0
	}
	return ttl - min(ttl/2, 10*time.Minute)
}

// uploads is the gateway's part of the settings.
func (s *Server) uploads(secret []byte) transport.UploadsConfig {
	u := s.cfg.Uploads
	types := u.Types
	if len(types) == 0 {
		types = attach.DefaultTypes
	}
	return transport.UploadsConfig{
		Refs:     attach.NewRefs(secret, refMaxAge(cmp.Or(u.UnsentTTL, DefaultUnsentTTL))),
		MaxBytes: cmp.Or(u.MaxBytes, attach.DefaultMaxBytes),
		Types:    types,
		Timeout:  cmp.Or(u.Timeout, transport.DefaultUploadTimeout),
	}
}

// startSweep deletes unsent uploads older than UnsentTTL every sweepEvery,
// until stopSweep. Every node sweeps; a blob deleted by one is not found
// by another, which is no error.
func (s *Server) startSweep() {
	ttl := cmp.Or(s.cfg.Uploads.UnsentTTL, DefaultUnsentTTL)
	if ttl < 0 {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(sweepEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			n, err := s.store.DeleteUnsentBlobs(ctx, time.Now().Add(-ttl))
			switch {
			case err != nil && ctx.Err() == nil:
				s.cfg.Log.Warn("sweeping unsent uploads failed; trying again later", "err", err)
			case n > 0:
				s.cfg.Log.Info("unsent uploads deleted", "count", n, "older_than", ttl)
			}
		}
	}()
	s.stopSweep = func() {
		stop()
		<-done
	}
}
