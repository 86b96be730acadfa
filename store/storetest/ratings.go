package storetest

import (
	"context"
	"reflect"
	"testing"

	"kefu/store"
)

func testRatingsByAgent(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		// ag_1 has two rated chats and one unrated, ag_2 one, and a chat
		// nobody took is rated by no agent.
		convs := []struct {
			id, agent string
			rating    int
		}{{"c1", "ag_1", 5}, {"c2", "ag_1", 2}, {"c3", "ag_1", 0}, {"c4", "ag_2", 4}, {"c5", "", 0}}
		b := &store.Batch{}
		for i, c := range convs {
			conv := newConv(c.id, uint64(i+1), at(i))
			conv.AgentID, conv.AgentName = c.agent, "Agent "+c.agent
			b.Conversations = append(b.Conversations, conv)
		}
		mustApply(t, st, b)
		for _, c := range convs {
			if c.rating > 0 {
				if err := st.SetRating(ctx, c.id, c.rating); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, err := st.RatingsByAgent(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		want := []store.AgentRating{{AgentID: "ag_1", Count: 2, Sum: 7}, {AgentID: "ag_2", Count: 1, Sum: 4}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("RatingsByAgent(all)=%+v, want %+v", got, want)
		}
		if got, want := got[0].Average(), 3.5; got != want {
			t.Fatalf("Average=%v, want %v", got, want)
		}
		one, err := st.RatingsByAgent(ctx, "ag_2")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one, want[1:]) {
			t.Fatalf("RatingsByAgent(ag_2)=%+v, want %+v", one, want[1:])
		}
	})
	t.Run("OKNone", func(t *testing.T) {
		got, err := open(t).RatingsByAgent(ctx, "ag_x")
		if err != nil || len(got) != 0 {
			t.Fatalf("RatingsByAgent=%+v, %v, want none", got, err)
		}
	})
}
