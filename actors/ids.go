package actors

// ConnID names one WebSocket connection for its whole life. The server issues
// it (ids.New); nothing a client sends can choose or forge it.
type ConnID string

// ConvID names one conversation between a customer and, over its life, one
// or more agents. Issued by the dispatcher when a customer is first assigned;
// it survives transfers and re-queueing.
type ConvID string
