package clustertest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// loadStored reads what the checks need from the database at dbURL, once
// every process on it has stopped.
func loadStored(tb testing.TB, ctx context.Context, dbURL string) *Stored {
	tb.Helper()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatalf("connect to the scenario's database: %v", err)
	}
	defer conn.Close(ctx)
	db := &Stored{Capacity: map[string]int{}}
	// messages.epoch comes with the fencing slice (docs/cluster-plan.md §4);
	// before it, the epoch check has nothing to read.
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'messages' AND column_name = 'epoch')`).Scan(&db.HasEpoch); err != nil {
		tb.Fatalf("look for messages.epoch: %v", err)
	}
	epoch := "0::bigint"
	if db.HasEpoch {
		epoch = "epoch"
	}
	query := func(sql string, scan func(pgx.Rows) error) {
		tb.Helper()
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			tb.Fatalf("%s: %v", sql, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				tb.Fatalf("%s: %v", sql, err)
			}
		}
		if err := rows.Err(); err != nil {
			tb.Fatalf("%s: %v", sql, err)
		}
	}
	query(`SELECT conv_id, seq, sender_id, client_id, text, `+epoch+` FROM messages ORDER BY conv_id, seq`, func(r pgx.Rows) error {
		var m StoredMsg
		var cid, text []byte
		err := r.Scan(&m.Conv, &m.Seq, &m.Sender, &cid, &text, &m.Epoch)
		m.CID, m.Text = string(cid), string(text)
		db.Messages = append(db.Messages, m)
		return err
	})
	query(`SELECT id, customer_id, agent_id, ticket, ended_at IS NOT NULL, end_reason FROM conversations ORDER BY ticket, id`, func(r pgx.Rows) error {
		var c StoredConv
		err := r.Scan(&c.ID, &c.Customer, &c.Agent, &c.Ticket, &c.Ended, &c.EndReason)
		db.Convs = append(db.Convs, c)
		return err
	})
	query(`SELECT conv_id, kind, agent_id, at FROM conv_events ORDER BY id`, func(r pgx.Rows) error {
		var e ConvEvent
		err := r.Scan(&e.Conv, &e.Kind, &e.Agent, &e.At)
		db.ConvEvents = append(db.ConvEvents, e)
		return err
	})
	query(`SELECT kind, customer_id, agent_id, conv_id, ticket, at FROM routing_events ORDER BY id`, func(r pgx.Rows) error {
		var e RoutingEvent
		err := r.Scan(&e.Kind, &e.Customer, &e.Agent, &e.Conv, &e.Ticket, &e.At)
		db.Routing = append(db.Routing, e)
		return err
	})
	query(`SELECT id, capacity FROM agents`, func(r pgx.Rows) error {
		var id string
		var capacity int
		err := r.Scan(&id, &capacity)
		db.Capacity[id] = capacity
		return err
	})
	return db
}
