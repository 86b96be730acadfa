package transport

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/websocket"

	"kefu/actors"
	"kefu/limit"
	"kefu/store"
)

// The tutorial's query values for the two roles.
const (
	compatAgentType    = "kefu"
	compatCustomerType = "yonghu"
)

// compatSocket serves the tutorial's WebSocket endpoint,
// ws://HOST/?type=kefu|yonghu&name=NAME, admitting the origins of policy. A
// bad type or name is refused with close code 4000 and a reason that names
// the fault.
func (g *Gateway) compatSocket(policy OriginPolicy) http.Handler {
	up := newUpgrader(policy)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !websocket.IsWebSocketUpgrade(r) {
			http.Error(w, "this port speaks WebSocket: connect to ws://HOST/?type=kefu|yonghu&name=NAME", http.StatusBadRequest)
			return
		}
		q := r.URL.Query()
		conn := actors.ConnConfig{Pool: actors.PoolCompat}
		var refusal *actors.Disconnect
		switch q.Get("type") {
		case compatAgentType:
			conn.Role = actors.RoleAgent
		case compatCustomerType:
			conn.Role = actors.RoleCustomer
		default:
			d := actors.DisconnectBadRequest.WithReason("type must be kefu or yonghu")
			refusal = &d
		}
		name, problem := checkName(q.Get("name"), g.cfg.MaxNameRunes)
		if refusal == nil && problem != "" {
			d := actors.DisconnectBadRequest.WithReason(problem)
			refusal = &d
		}
		conn.Name = name
		conn.Codec = CompatCodec{Role: conn.Role}
		g.accept(w, r, up, g.cfg.Limits, conn, refusal)
	})
}

// roomAnswer is the tutorial's /getroom reply, kept to its wire: "room" is
// the tutorial's word for a free agent, which actors.AgentOffer names.
type roomAnswer struct {
	Room     bool   `json:"room"`
	KefuName string `json:"kefuName,omitempty"`
}

// GetRoom serves the tutorial's GET /getroom?userName=NAME: it reserves a
// free agent for NAME and answers exactly once, {"room":true,"kefuName":A} or
// {"room":false}. An address over its cap of unused reservations gets
// {"room":false} too, with status 200: the tutorial's pages know no other
// answer, and its own page drops anything but a 200 without a word.
func (g *Gateway) GetRoom() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			// The mux lets HEAD through to a GET route; a HEAD must not
			// reserve an agent.
			w.Header().Set("Allow", http.MethodGet)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
			return
		}
		name, problem := checkName(r.URL.Query().Get("userName"), g.cfg.MaxNameRunes)
		if problem != "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "userName: " + problem})
			return
		}
		dispatcher := g.cfg.Dir.PID(actors.KindDispatcher, actors.DispatcherID(actors.PoolCompat))
		ip := clientKey(r, g.guards.limits.TrustProxy)
		res, err := g.cfg.Root.RequestFuture(dispatcher, &actors.GetRoom{Customer: name, From: ip.String()}, g.cfg.RequestTimeout).Result()
		offer, ok := res.(*actors.AgentOffer)
		if err != nil || !ok {
			g.cfg.Log.Error("getroom: no answer from dispatcher", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "dispatcher unavailable, try again"})
			return
		}
		if offer.Capped {
			g.guards.offences.Record(limit.Reservations, "remote", ip)
		}
		writeJSON(w, http.StatusOK, roomAnswer{Room: offer.Granted, KefuName: offer.AgentName})
	})
}

// checkName returns a display name fit to show others, or what is wrong
// with it; both protocols use it. The rule is store.NameProblem, the one
// every name keeps, plus the tutorial's two sender names. A name is kept
// exactly as given, never trimmed: the tutorial's pages tell their own
// lines by comparing the sender with what was typed.
func checkName(name string, maxRunes int) (valid, problem string) {
	if problem := store.NameProblem(name, maxRunes); problem != "" {
		return "", problem
	}
	if name == compatSystemSender || name == compatCodeSender {
		// The tutorial names its notices' sender 系统 and its close
		// command's "code"; a person with either name could forge them.
		// Look-alikes (系\u200b统, "系统 ") break the rule above.
		return "", "name is reserved"
	}
	return name, ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
