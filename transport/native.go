package transport

import (
	"net/http"

	"github.com/gorilla/websocket"

	"kefu/actors"
)

// NativeSocket serves the native protocol at /ws. Identity comes from the
// first frame, hello, not from the URL, so tokens stay out of access logs.
func (g *Gateway) NativeSocket() http.Handler {
	up := newUpgrader(g.cfg.Origins)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !websocket.IsWebSocketUpgrade(r) {
			http.Error(w, "this is a WebSocket endpoint; see docs/protocol.md", http.StatusBadRequest)
			return
		}
		g.accept(w, r, up, g.cfg.NativeLimits, actors.ConnConfig{
			Pool:         actors.PoolNative,
			Codec:        NativeCodec{},
			Auth:         g.cfg.Identity,
			History:      g.cfg.Identity.Store,
			Files:        g.cfg.Uploads.Refs,
			MaxFileBytes: g.cfg.Uploads.MaxBytes,
			Heartbeat:    g.cfg.Heartbeat,
			HelloTimeout: g.cfg.HelloTimeout,
		}, nil)
	})
}
