package store

// The kinds of stored events: what ConvEvent.Kind and RoutingEvent.Kind
// hold. A conversation's events use the four that change who serves it;
// routing events use all six. The schemas' CHECK constraints
// (migrations.go, postgres/migrations.go) and the waiting-customers
// queries list the same words, as SQL text.
const (
	EventQueued      = "queued"      // routing only: a customer joined the queue without a conversation
	EventLeftQueue   = "left_queue"  // routing only: a customer left the queue unserved (it cancelled, or its grace period ran out)
	EventAssigned    = "assigned"    // an agent was given the conversation, at its start or out of the queue
	EventTransferred = "transferred" // an agent passed it to another agent
	EventRequeued    = "requeued"    // it went back to the queue, its customer staying
	EventEnded       = "ended"       // it ended
)

// The values the schema accepts for the kind columns.
var (
	convEventKinds    = []string{EventAssigned, EventTransferred, EventRequeued, EventEnded}
	routingEventKinds = []string{EventQueued, EventLeftQueue, EventAssigned, EventTransferred, EventRequeued, EventEnded}
)
