package transport

import (
	"fmt"

	"kefu/actors"
)

// One function per client frame of the native protocol that carries
// fields: each checks that the fields its type needs are there and within
// bounds, and builds the command for the connection actor. decodeCommand
// (native_codec.go) picks one by the frame's "type".

func decodeHello(in *nativeIn) (any, error) {
	if in.V == nil {
		return nil, badFrame(actors.ErrCodeMissingField, `hello needs "v" (the protocol version, 1)`)
	}
	h := &actors.CmdHello{Version: *in.V, Token: in.Token, Name: in.Name}
	if len(in.Resume) > maxResume {
		return nil, badFrame(actors.ErrCodeBadValue, "resume names too many conversations")
	}
	if len(in.Resume) > 0 {
		h.Resume = make(map[actors.ConvID]uint64, len(in.Resume))
		for conv, seq := range in.Resume {
			h.Resume[actors.ConvID(conv)] = seq
		}
	}
	switch in.Role {
	case "agent":
		h.Role = actors.RoleAgent
		if in.Token == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `an agent's hello needs "token" (from POST /api/login)`)
		}
	case "customer":
		h.Role = actors.RoleCustomer
		if in.Token == "" && in.Name == "" {
			return nil, badFrame(actors.ErrCodeMissingField, `a customer's hello needs "name" (new) or "token" (resume)`)
		}
	case "":
		return nil, badFrame(actors.ErrCodeMissingField, `hello needs "role"`)
	default:
		return nil, badFrame(actors.ErrCodeBadValue, `role must be "agent" or "customer"`)
	}
	return h, nil
}

func decodeMsg(in *nativeIn) (any, error) {
	if in.File != "" && in.Conv != "" && in.CID != "" && len(in.CID) <= maxCIDLen {
		return &actors.CmdFile{Conv: actors.ConvID(in.Conv), Ref: in.File, ClientID: in.CID}, nil
	}
	if in.Conv == "" || in.Text == nil || in.CID == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `msg needs "conv", "text" and "cid" (your id for the message, reused if you send it again)`)
	}
	if len(in.CID) > maxCIDLen {
		return nil, badFrame(actors.ErrCodeBadValue, "cid is longer than 64 bytes")
	}
	return &actors.CmdPost{Conv: actors.ConvID(in.Conv), Text: *in.Text, ClientID: in.CID}, nil
}

func decodeTyping(in *nativeIn) (any, error) {
	if in.Conv == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `typing needs "conv"`)
	}
	return &actors.CmdTyping{Conv: actors.ConvID(in.Conv)}, nil
}

func decodeRead(in *nativeIn) (any, error) {
	if in.Conv == "" || in.Seq == nil {
		return nil, badFrame(actors.ErrCodeMissingField, `read needs "conv" and "seq"`)
	}
	return &actors.CmdRead{Conv: actors.ConvID(in.Conv), Seq: *in.Seq}, nil
}

func decodeEnd(in *nativeIn) (any, error) {
	if in.Conv == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `end needs "conv"`)
	}
	return &actors.CmdEnd{Conv: actors.ConvID(in.Conv)}, nil
}

func decodeStatus(in *nativeIn) (any, error) {
	switch s := actors.Status(in.Status); s {
	case actors.StatusAvailable, actors.StatusAway:
		return &actors.CmdStatus{Status: s}, nil
	case "":
		return nil, badFrame(actors.ErrCodeMissingField, `status needs "status"`)
	default:
		return nil, badFrame(actors.ErrCodeBadValue, `status must be "available" or "away"`)
	}
}

func decodeCapacity(in *nativeIn) (any, error) {
	if in.Capacity == nil {
		return nil, badFrame(actors.ErrCodeMissingField, `capacity needs "capacity"`)
	}
	return &actors.CmdCapacity{Capacity: *in.Capacity}, nil
}

// decodeRequest: a team id is the server's, as long as a cid at most; an
// unknown one is the dispatcher's to refuse (unknown_team).
func decodeRequest(in *nativeIn) (any, error) {
	if len(in.Team) > maxCIDLen {
		return nil, badFrame(actors.ErrCodeBadValue, fmt.Sprintf("team is longer than %d bytes", maxCIDLen))
	}
	if err := emailOK(in.Email); err != nil {
		return nil, err
	}
	return &actors.CmdRequest{Team: in.Team, Email: in.Email}, nil
}

func decodeTransfer(in *nativeIn) (any, error) {
	if in.Conv == "" || in.To == nil || *in.To == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `transfer needs "conv" and "to" (an agent id, a team id, or "queue")`)
	}
	to := *in.To
	if to == transferToQueue {
		to = ""
	}
	if len(in.Note) > actors.MaxHandoffNote {
		return nil, badFrame(actors.ErrCodeBadValue, fmt.Sprintf("note is longer than %d bytes", actors.MaxHandoffNote))
	}
	return &actors.CmdTransfer{Conv: actors.ConvID(in.Conv), To: to, Note: in.Note}, nil
}

func decodeRate(in *nativeIn) (any, error) {
	if in.Conv == "" || in.Rating == nil {
		return nil, badFrame(actors.ErrCodeMissingField, `rate needs "conv" and "rating" (1 to 5)`)
	}
	if *in.Rating < actors.MinRating || *in.Rating > actors.MaxRating {
		return nil, badFrame(actors.ErrCodeBadValue, "rating must be between 1 and 5")
	}
	return &actors.CmdRate{Conv: actors.ConvID(in.Conv), Rating: *in.Rating}, nil
}

func decodeHistory(in *nativeIn) (any, error) {
	if in.Conv == "" {
		return nil, badFrame(actors.ErrCodeMissingField, `history needs "conv"`)
	}
	h := &actors.CmdHistory{Conv: actors.ConvID(in.Conv), Before: in.Before}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, badFrame(actors.ErrCodeBadValue, "limit must be 1 or more")
		}
		h.Limit = *in.Limit
	}
	return h, nil
}
