package transport

import "slices"

// knowledge is what a fuzz session's clients have been told, for the
// program to pick real values from: a frame that names a conversation the
// client is in, or a token it was given, gets past the checks that made-up
// values stop at.
type knowledge struct {
	w          *fuzzWorld
	convs      []string
	custTokens []string
}

// learn notes what a frame tells a client.
func (k *knowledge) learn(f outFrame) {
	switch {
	case f.Conv != "" && !slices.Contains(k.convs, f.Conv):
		k.convs = append(k.convs, f.Conv)
	case f.Type == "welcome" && f.Token != "":
		k.custTokens = append(k.custTokens, f.Token)
	}
}

// conv picks a conversation id: one a client has seen, one that does not
// exist, or none.
func (k *knowledge) conv(b byte) string {
	switch i := int(b) % (len(k.convs) + 2); i {
	case len(k.convs):
		return "cv_nosuchconversation"
	case len(k.convs) + 1:
		return ""
	default:
		return k.convs[i]
	}
}

// agentToken picks what an agent's hello presents.
func (k *knowledge) agentToken(b byte) string {
	switch b % 8 {
	case 0, 1, 2:
		return k.w.tokens[fuzzAgent]
	case 3:
		return k.w.tokens[helperAgent] // a second tab of the helper
	case 4:
		return k.w.expired
	case 5:
		return k.w.tokens[removedAgent]
	case 6:
		return k.customerToken(b >> 3) // the wrong role
	default:
		return "eyJhbGciOiJIUzI1NiJ9.e30.forged"
	}
}

// customerToken picks a resume token: one a customer was given (perhaps
// another customer's, which takes its place), or one that must be refused.
func (k *knowledge) customerToken(b byte) string {
	switch i := int(b) % (len(k.custTokens) + 3); i {
	case len(k.custTokens):
		return k.w.tokens[fuzzAgent] // the wrong role
	case len(k.custTokens) + 1:
		return k.w.expired
	case len(k.custTokens) + 2:
		return "not a token"
	default:
		return k.custTokens[i]
	}
}

// agentID picks a transfer's target.
func (k *knowledge) agentID(b byte) string {
	switch b % 7 {
	case 0:
		return k.w.agents[fuzzAgent].ID
	case 1:
		return k.w.agents[helperAgent].ID
	case 2:
		return k.w.agents[checkAgent].ID // offline
	case 3:
		return k.w.agents[removedAgent].ID
	case 4:
		return "queue"
	case 5:
		return ""
	default:
		return "ag_nosuchagent"
	}
}
