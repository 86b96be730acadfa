package transport

import (
	"cmp"
	"context"
	"errors"
	"time"

	"kefu/actors"
	"kefu/auth"
	"kefu/internal/ids"
	"kefu/store"
)

// Token lifetimes. An agent logs in once a shift; a customer may come back
// to a conversation the next day.
const (
	AgentTokenTTL    = 12 * time.Hour
	CustomerTokenTTL = 24 * time.Hour
	storeTimeout     = 5 * time.Second
)

// Identity proves who is on a native connection, from tokens this server
// signed and accounts in the store. It implements actors.Authenticator and
// holds no state of its own.
type Identity struct {
	Store  store.Store
	Signer *auth.Signer
	// MaxNameRunes bounds a new customer's display name; zero means
	// DefaultMaxNameRunes.
	MaxNameRunes int
	// MaxCapacity caps an agent's stored capacity, for an account stored
	// with more before the cap was lowered; zero means store.MaxCapacity.
	MaxCapacity int
	// FormTokenTTL is how long the token a customer gets with its offline
	// form lasts (-form-token-ttl); zero means DefaultFormTokenTTL.
	FormTokenTTL time.Duration
}

// DefaultFormTokenTTL: a form may be answered days later, and its
// customer should find the answer on its return.
const DefaultFormTokenTTL = 7 * 24 * time.Hour

var (
	_ actors.Authenticator = (*Identity)(nil)
	_ actors.FormTokens    = (*Identity)(nil)
)

// FormToken implements actors.FormTokens: a resume token for p that lasts
// FormTokenTTL.
func (i *Identity) FormToken(p actors.Party) (string, error) {
	return i.Signer.Issue(auth.Claims{Subject: p.ID, Role: auth.RoleCustomer, Name: p.Name, ExpiresAt: time.Now().Add(cmp.Or(i.FormTokenTTL, DefaultFormTokenTTL))})
}

// Agent implements actors.Authenticator. The account is read afresh, so a
// removed agent's token, or a signed-out or revoked one, stops working at
// once.
func (i *Identity) Agent(token string) (actors.Party, int, actors.Session, error) {
	c, err := i.Signer.Verify(token)
	if err != nil || (c.Role != auth.RoleAgent && c.Role != auth.RoleSupervisor) {
		return actors.Party{}, 0, actors.Session{}, tokenError(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	a, err := i.agentAccount(ctx, c)
	switch {
	case errors.Is(err, errAccountRemoved):
		return actors.Party{}, 0, actors.Session{}, &actors.AuthError{Reason: actors.DisconnectAccountRemoved}
	case errors.Is(err, errTokenRevoked):
		return actors.Party{}, 0, actors.Session{}, &actors.AuthError{Reason: actors.DisconnectTokenRevoked}
	case err != nil:
		return actors.Party{}, 0, actors.Session{}, &actors.AuthError{Reason: actors.DisconnectInternal}
	}
	p := actors.Party{Role: actors.RoleAgent, ID: a.ID, Name: a.Name}
	return p, min(a.Capacity, cmp.Or(i.MaxCapacity, store.MaxCapacity)), actors.Session{ID: c.ID, Generation: c.Generation}, nil
}

// Why an agent's verified token is refused, in agentAccount's errors.
var (
	errAccountRemoved = errors.New("account removed")
	errTokenRevoked   = errors.New("token revoked")
)

// agentAccount checks an agent's verified token c against the store as it
// is now: the account still exists (errAccountRemoved), the token is of the
// account's current generation and was not signed out (errTokenRevoked).
// Any other error is the store's. The socket's hello and every HTTP API
// ask here, so a token fails everywhere at once.
func (i *Identity) agentAccount(ctx context.Context, c auth.Claims) (store.Agent, error) {
	a, err := i.Store.AgentByID(ctx, c.Subject)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Agent{}, errAccountRemoved
	case err != nil:
		return store.Agent{}, err
	case c.Generation != a.TokenGeneration:
		// Older: revoked since. Newer cannot be issued by us unless the
		// store went back in time (restored from a backup): refused too.
		return store.Agent{}, errTokenRevoked
	}
	revoked, err := i.Store.TokenRevoked(ctx, c.ID)
	switch {
	case err != nil:
		return store.Agent{}, err
	case revoked:
		return store.Agent{}, errTokenRevoked
	}
	return a, nil
}

// Customer implements actors.Authenticator. A resuming customer gets a
// fresh token (a sliding expiry); a new one gets an id and its first.
func (i *Identity) Customer(token, name string) (actors.Party, string, error) {
	var p actors.Party
	if token != "" {
		c, err := i.Signer.Verify(token)
		if err != nil || c.Role != auth.RoleCustomer {
			return p, "", tokenError(err)
		}
		p = actors.Party{Role: actors.RoleCustomer, ID: c.Subject, Name: c.Name}
	} else {
		valid, problem := checkName(name, cmp.Or(i.MaxNameRunes, DefaultMaxNameRunes))
		if problem != "" {
			return p, "", &actors.AuthError{Reason: actors.DisconnectBadRequest.WithReason("name: " + problem)}
		}
		p = actors.Party{Role: actors.RoleCustomer, ID: ids.Customer + ids.New(), Name: valid}
	}
	resume, err := i.Signer.Issue(auth.Claims{Subject: p.ID, Role: auth.RoleCustomer, Name: p.Name, ExpiresAt: time.Now().Add(CustomerTokenTTL)})
	if err != nil {
		return actors.Party{}, "", &actors.AuthError{Reason: actors.DisconnectInternal}
	}
	return p, resume, nil
}

// SaveCapacity implements actors.Authenticator.
func (i *Identity) SaveCapacity(agentID string, capacity int) error {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	return i.Store.SetCapacity(ctx, agentID, capacity)
}

func tokenError(err error) error {
	if errors.Is(err, auth.ErrTokenExpired) {
		return &actors.AuthError{Reason: actors.DisconnectTokenExpired}
	}
	return &actors.AuthError{Reason: actors.DisconnectUnauthorized}
}
