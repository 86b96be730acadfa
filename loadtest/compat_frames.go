package loadtest

import (
	"encoding/json"
	"net/url"
	"strings"
)

// The tutorial's protocol as the harness speaks it (docs/protocol.md,
// "Compat protocol"): the client sends {"neiRong":text}; the server sends
// {"neiRong":text,"shuiFaDe":sender}, with notices from 系统.

// cFrame is the compat protocol's one server frame.
type cFrame struct {
	NeiRong  string `json:"neiRong"`
	ShuiFaDe string `json:"shuiFaDe"`
}

func decodeCompat(b []byte, f *cFrame) error { return json.Unmarshal(b, f) }

func frameSay(text string) []byte { return []byte(`{"neiRong":` + quoteJSON(text) + `}`) }

// The notices' sender and wording, as the server writes them.
const (
	compatSystem  = "系统"
	compatCode    = "code" // sender of the "close" order
	compatError   = "错误："
	joinedPrefix  = "用户-" // 用户-B-已进入房间: customer B joined
	joinedSuffix  = "-已进入房间"
	leftSuffix    = "-已退出房间" // 用户-B-… or 客服-A-…: left the room
	servingPrefix = "客服-"    // 客服-A-将为您服务: agent A serves you
	servingSuffix = "-将为您服务"
)

// noticeName returns the name in a notice "<prefix>NAME<suffix>".
func noticeName(text, prefix, suffix string) (string, bool) {
	rest, ok := strings.CutPrefix(text, prefix)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, suffix)
}

// compatSocketURL is the tutorial's socket for a role and name.
func compatSocketURL(base, role, name string) string {
	return base + "?type=" + role + "&name=" + url.QueryEscape(name)
}
