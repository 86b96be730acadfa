package actors

// Authenticator proves who is on a native connection. The transport
// implements it over the store and the token signer; actors only see its
// answers.
// FormTokens is what an Authenticator may also do: issue a customer who
// left an offline form a resume token that outlasts a chat's, so that it
// finds the answer when it comes back days later.
type FormTokens interface {
	FormToken(p Party) (string, error)
}

type Authenticator interface {
	// Agent checks an agent's login token and returns the account as it is
	// now (a removed account's token is refused, as is a signed-out or
	// revoked one) with its capacity and the token's session.
	Agent(token string) (p Party, capacity int, s Session, err error)
	// Customer checks a customer's resume token or, when token is empty,
	// issues a new customer identity named name. It returns the token the
	// customer should keep to resume.
	Customer(token, name string) (p Party, resume string, err error)
	// SaveCapacity stores an agent's new capacity.
	SaveCapacity(agentID string, capacity int) error
}

// AuthError is an Authenticator's refusal; its Disconnect says how.
type AuthError struct{ Reason Disconnect }

func (e *AuthError) Error() string { return e.Reason.Reason }
