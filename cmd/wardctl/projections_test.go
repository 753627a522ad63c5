package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/audit"
)

// runAudit runs the audit projection as the tenants service would, with a
// short rebuild poll, until the test ends.
func runAudit(t *testing.T, n *testenv.NATS, db *testenv.DB) *projectors.Projector {
	t.Helper()
	p, err := projectors.New(db.Pool, events.NewStore(n.JS, events.NewCatalog()), audit.New(), projectors.Options{
		RebuildPoll: 50 * time.Millisecond, LagInterval: 50 * time.Millisecond, PinnedTTL: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("projector: %v", err)
		}
	})
	testenv.Eventually(t, 10*time.Second, func() error {
		if cp := p.Stats().Checkpoint; cp != 5 {
			return fmt.Errorf("checkpoint %d, want 5", cp)
		}
		return nil
	})
	return p
}

func TestProjectionsStatusAndRebuild(t *testing.T) {
	t.Parallel()
	n, db := seed(t), testenv.Postgres(t)
	runAudit(t, n, db)
	ctx := context.Background()
	args := func(a ...string) []string { return append([]string{"--database-url", db.URL}, a...) }

	out, _, err := run(ctx, n, args("projections", "status")...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "audit") || !strings.Contains(lines[1], " 5 ") || !strings.HasSuffix(lines[1], "live") {
		t.Fatalf("status:\n%s", out)
	}

	out, _, err = run(ctx, n, args("projections", "rebuild", "audit")...)
	if err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	if !strings.Contains(out, "switched in at sequence 5") {
		t.Fatalf("rebuild output:\n%s", out)
	}

	out, _, err = run(ctx, n, args("projections", "status", "-o", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	var states []projectors.State
	if err := json.Unmarshal([]byte(out), &states); err != nil {
		t.Fatalf("status json: %v\n%s", err, out)
	}
	if len(states) != 1 || states[0].Checkpoint != 5 || states[0].Lag != 0 || states[0].RebuiltAt.IsZero() {
		t.Fatalf("status after rebuild: %+v", states)
	}
}

func TestProjectionsRejectsBadInput(t *testing.T) {
	t.Parallel()
	n, db := seed(t), testenv.Postgres(t)
	ctx := context.Background()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--database-url", db.URL, "projections", "rebuild", "nope"}, `no projection "nope"`},
		{[]string{"--database-url", db.URL, "projections", "rebuild"}, "accepts 1 arg"},
		{[]string{"--database-url", db.URL, "projections", "status", "-o", "yaml"}, "want table or json"},
		{[]string{"--database-url", "postgres://nobody:secret@127.0.0.1:1/x", "projections", "status"}, "connect to Postgres at 127.0.0.1:1/x"},
		{[]string{"--database-url", "::::", "projections", "status"}, "not a valid connection string"},
	}
	for _, c := range cases {
		_, _, err := run(ctx, n, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%v: error shows the password: %v", c.args, err)
		}
	}
}
