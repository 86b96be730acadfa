package server

import (
	"log/slog"
	"net/http"
	"net/http/pprof"

	"kefu/transport"
)

// ServePprof serves the profiler on its own listener, apart from the chat
// listeners, so it is never reachable where customers are. It lives as
// long as the process.
func ServePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: transport.BoundBody(mux), ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout}
	log.Warn("profiler listening; keep it off public networks", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiler stopped", "err", err)
	}
}
