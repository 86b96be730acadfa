package actors

// Party is a participant as the server knows it: an id the server issued,
// the role it proved, and a display name that is only a label.
type Party struct {
	Role Role
	ID   string
	Name string
}

// Status is whether an agent takes new customers.
type Status string

const (
	StatusAvailable Status = "available"
	StatusAway      Status = "away"
)

// Capacity bounds.
const (
	DefaultCapacity = 3
	MaxCapacity     = 50
)

// Role is who is on the other end of a connection.
type Role int

const (
	RoleAgent Role = iota + 1
	RoleCustomer
)

func (r Role) String() string {
	switch r {
	case RoleAgent:
		return "agent"
	case RoleCustomer:
		return "customer"
	}
	return "unknown"
}
