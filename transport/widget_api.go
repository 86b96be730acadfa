package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"kefu/actors"
	"kefu/hours"
	"kefu/store"
)

// GET /api/widget (issue 18): what the customer's widget needs before the
// customer types: the teams it may pick, whether each is open by its hours
// and has an agent online, and when a closed one opens next. No login:
// a page view asks it. The teams come from the store and the agents from
// the monitor's latest sample (at most a couple of seconds old), so a
// page view costs no dispatcher round trip. It never shows members,
// inbox counts or hidden teams, except the one the page names (?team=).

// widgetTeamOut is one team as a customer sees it.
type widgetTeamOut struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Open        bool       `json:"open"`      // by its hours, now
	Online      int        `json:"online"`    // its agents online now
	Available   bool       `json:"available"` // open and someone online: a request is served; else the offline form
	NextOpen    *time.Time `json:"nextOpen,omitempty"`
}

type widgetOut struct {
	Picker  bool            `json:"picker"` // offer the visible teams when the page names none
	PreChat preChatOut      `json:"preChat"`
	Teams   []widgetTeamOut `json:"teams"`
	Team    *widgetTeamOut  `json:"team"` // the one ?team= names; null when none or unknown
}

// preChatOut is what the widget asks before a chat, besides the name.
type preChatOut struct {
	Email    string `json:"email"` // off, optional or required
	Question bool   `json:"question"`
}

// widgetSettingsIn is what a supervisor sends to PUT /api/widget.
type widgetSettingsIn struct {
	Picker   *bool  `json:"picker"`
	Email    string `json:"email"`
	Question bool   `json:"question"`
}

// Widget serves GET /api/widget?team=.
func (g *Gateway) Widget() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		teams, err := g.cfg.Identity.Store.ListTeams(ctx, false)
		if err != nil {
			g.storeFailed(w, "list teams", err)
			return
		}
		settings, err := g.cfg.Identity.Store.WidgetSettings(ctx)
		if err != nil {
			g.storeFailed(w, "read widget settings", err)
			return
		}
		// Without the monitor's figures (it is slow, or moving to another
		// node) the teams are still shown: a team open by its hours then
		// counts as available, and a request waits in its queue.
		online, known := g.teamsOnline()
		named := r.URL.Query().Get("team")
		now := time.Now()
		out := widgetOut{Picker: settings.Picker, PreChat: preChatOut{Email: settings.Email, Question: settings.Question}, Teams: []widgetTeamOut{}}
		for _, t := range teams {
			if !t.Visible && t.ID != named {
				continue
			}
			view := widgetTeam(t, online[t.ID], now)
			if !known {
				view.Available = view.Open
			}
			if t.ID == named {
				out.Team = &view
			}
			if t.Visible {
				out.Teams = append(out.Teams, view)
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, out)
	})
}

// widgetTeam is t as a customer sees it at now, with online agents.
func widgetTeam(t store.Team, online int, now time.Time) widgetTeamOut {
	out := widgetTeamOut{ID: t.ID, Name: t.Name, Description: t.Description, Online: online, Open: true}
	if s, err := hours.Parse(t.Hours); err == nil {
		out.Open = s.Open(now)
		if next, ok := s.NextOpen(now); ok && !out.Open {
			next = next.UTC()
			out.NextOpen = &next
		}
	}
	out.Available = out.Open && online > 0
	return out
}

// teamsOnline is each team's agents online, from the monitor's latest
// sample; false when the monitor did not answer.
func (g *Gateway) teamsOnline() (map[string]int, bool) {
	monitor := g.cfg.Dir.PID(actors.KindMonitor, actors.MonitorID)
	res, err := g.cfg.Root.RequestFuture(monitor, &actors.GetSupervision{NoHistory: true}, monitorTimeout).Result()
	s, ok := res.(*actors.Supervision)
	if err != nil || !ok {
		return nil, false
	}
	out := make(map[string]int, len(s.Teams))
	for _, t := range s.Teams {
		out[t.ID] = t.AgentsOnline
	}
	return out, true
}

// SetWidget serves PUT /api/widget {"picker","email","question"}, for
// supervisors: the widget's picker and pre-chat form, stored; pages read
// them at their next GET /api/widget.
func (g *Gateway) SetWidget() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.supervisor(w, r)
		if !ok {
			return
		}
		var in widgetSettingsIn
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxTeamBody)).Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", `expected JSON {"picker":true,"email":"off|optional|required","question":false}`)
			return
		}
		settings := store.WidgetSettings{Picker: in.Picker == nil || *in.Picker, Email: in.Email, Question: in.Question}
		if settings.Email == "" {
			settings.Email = store.AskOff
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		err := g.cfg.Identity.Store.SetWidgetSettings(ctx, settings)
		switch {
		case errors.Is(err, store.ErrInvalid):
			writeError(w, http.StatusBadRequest, "bad_value", err.Error())
			return
		case err != nil:
			g.storeFailed(w, "set widget settings", err)
			return
		}
		g.cfg.Log.Info("widget settings changed", "by", who.id, "picker", settings.Picker, "email", settings.Email, "question", settings.Question)
		writeJSON(w, http.StatusOK, preChatAndPicker(settings))
	})
}

// preChatAndPicker is the settings as GET /api/widget shows them.
func preChatAndPicker(s store.WidgetSettings) any {
	return struct {
		Picker  bool       `json:"picker"`
		PreChat preChatOut `json:"preChat"`
	}{s.Picker, preChatOut{Email: s.Email, Question: s.Question}}
}
