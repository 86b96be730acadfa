package storecmd

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"kefu/hours"
	"kefu/internal/pgtest"
	"kefu/store"
	"kefu/store/postgres"
	"kefu/store/storetest"
)

// copyArgs runs `kefu store copy -from dir -to url` and returns its output.
func copyArgs(dir, url string) (string, error) {
	var out bytes.Buffer
	err := Command(context.Background(), []string{"copy", "-from", dir, "-to", url}, &out, &bytes.Buffer{})
	return out.String(), err
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		dir, url := t.TempDir(), pgtest.NewSchema(t)
		src, err := store.OpenSQLite(dir)
		if err != nil {
			t.Fatal(err)
		}
		storetest.CheckFullBatch(t, src)
		agent, err := src.CreateAgent(ctx, "Ärger", []byte("hash"), store.RoleSupervisor, 4)
		if err != nil {
			t.Fatal(err)
		}
		team, err := src.CreateTeam(ctx, store.Team{Name: "售后", Visible: true, Members: []string{agent.ID},
			Hours: hours.Spec{TimeZone: "Asia/Shanghai", Closed: []string{"2027-02-17"}}})
		if err != nil {
			t.Fatal(err)
		}
		reply, err := src.CreateCanned(ctx, store.Canned{Owner: agent.ID, Shortcut: "退款", Text: "已退款。"})
		if err != nil {
			t.Fatal(err)
		}
		widget := store.WidgetSettings{Picker: false, Email: store.AskRequired, Question: true}
		if err := src.SetWidgetSettings(ctx, widget); err != nil {
			t.Fatal(err)
		}
		key, err := src.Secret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := src.RevokeToken(ctx, "jti-1", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}

		out, err := copyArgs(dir, url)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{"agents          1 rows", "messages        2 rows", "routing_events  2 rows", "teams           2 rows", "team_members    1 rows", "every count verified"} {
			if !strings.Contains(out, line) {
				t.Fatalf("output %q lacks %q", out, line)
			}
		}

		dst, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		storetest.CheckFullBatchStored(t, dst)
		storetest.CheckSearchStored(t, dst) // computed here: SQLite's index is not copied
		got, hash, err := dst.AgentByName(ctx, "ärger")
		if err != nil || got != agent || string(hash) != "hash" {
			t.Fatalf("agent=%+v, %q, %v; want %+v with its hash", got, hash, err, agent)
		}
		if again, err := dst.Secret(ctx); err != nil || !bytes.Equal(again, key) {
			t.Fatalf("secret differs after the copy (%v): tokens would stop working", err)
		}
		if revoked, err := dst.TokenRevoked(ctx, "jti-1"); err != nil || !revoked {
			t.Fatalf("TokenRevoked=%v, %v after the copy, want true", revoked, err)
		}
		if got, err := dst.Team(ctx, team.ID); err != nil || got.Name != team.Name || !got.Visible ||
			!reflect.DeepEqual(got.Hours, team.Hours) || !reflect.DeepEqual(got.Members, team.Members) {
			t.Fatalf("team after the copy: %+v, %v; want %+v", got, err, team)
		}
		if teams, err := dst.ListTeams(ctx, false); err != nil || len(teams) != 2 {
			t.Fatalf("teams after the copy: %+v, %v; want the general team and %q", teams, err, team.Name)
		}
		if got, err := dst.ListCanned(ctx, agent.ID); err != nil || len(got) != 1 || got[0] != reply {
			t.Fatalf("saved replies after the copy: %+v, %v; want %+v", got, err, reply)
		}
		if got, err := dst.WidgetSettings(ctx); err != nil || got != widget {
			t.Fatalf("widget settings after the copy: %+v, %v; want %+v", got, err, widget)
		}

		// A second copy into the now full database is refused.
		if _, err := copyArgs(dir, url); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("second copy err=%v, want a refusal of a database that is not empty", err)
		}
	})
	t.Run("ErrNoStore", func(t *testing.T) {
		if _, err := copyArgs(t.TempDir(), "postgres://127.0.0.1:1/x"); err == nil || !strings.Contains(err.Error(), "no SQLite store") {
			t.Fatalf("err=%v, want no SQLite store", err)
		}
	})
	t.Run("ErrNotPostgres", func(t *testing.T) {
		if _, err := copyArgs(t.TempDir(), "sqlite"); err == nil || !strings.Contains(err.Error(), "-to") {
			t.Fatalf("err=%v, want an error naming -to", err)
		}
	})
}
