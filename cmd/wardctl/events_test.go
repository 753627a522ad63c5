package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

type tenantCreated struct {
	Name string `json:"name"`
}

func (tenantCreated) EventType() string { return "wardnet.tenant.created" }

type networkRegistered struct {
	Slug string `json:"slug"`
}

func (networkRegistered) EventType() string { return "wardnet.network.registered" }

// seed appends 3 tenants and 2 networks: seqs 1..5.
func seed(t *testing.T) *testenv.NATS {
	t.Helper()
	n := testenv.StartNATS(t)
	c := events.NewCatalog()
	events.Register[tenantCreated](c, 1)
	events.Register[networkRegistered](c, 1)
	s := n.Store(t, c)
	ctx := context.Background()
	for i, p := range []events.Payload{tenantCreated{"a"}, tenantCreated{"b"}, networkRegistered{"home"}, tenantCreated{"c"}, networkRegistered{"lab"}} {
		ref := events.MustRef("tenant", string(rune('a'+i)))
		if _, ok := p.(networkRegistered); ok {
			ref = events.MustRef("network", string(rune('a'+i)))
		}
		if _, err := s.Append(ctx, events.Meta{TenantID: "t" + string(rune('a'+i))}, events.Change{Aggregate: ref, Events: []events.Payload{p}}); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func run(ctx context.Context, n *testenv.NATS, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	cmd := newRootCmd(&out, &errOut)
	cmd.SetArgs(append([]string{"--nats-url", n.URL}, args...))
	err := cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func TestReplayTable(t *testing.T) {
	t.Parallel()
	n := seed(t)
	out, _, err := run(context.Background(), n, "events", "replay")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "SEQ") {
		t.Fatalf("want a header and 5 events, got:\n%s", out)
	}
	if !strings.Contains(lines[3], "wardnet.network.registered") || !strings.Contains(lines[3], `{"slug":"home"}`) || !strings.HasPrefix(lines[3], "3 ") {
		t.Fatalf("third event line: %q", lines[3])
	}
}

func TestReplayJSONAndFilters(t *testing.T) {
	t.Parallel()
	n := seed(t)
	ctx := context.Background()
	seqs := func(args ...string) []uint64 {
		t.Helper()
		out, _, err := run(ctx, n, append([]string{"events", "replay", "-o", "json"}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var got []uint64
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var ce map[string]any
			if err := json.Unmarshal([]byte(line), &ce); err != nil {
				t.Fatalf("not JSON: %q", line)
			}
			if ce["specversion"] != "1.0" || ce["id"] == "" || ce["data"] == nil || ce["tenantid"] == nil {
				t.Fatalf("not a whole CloudEvent: %q", line)
			}
			got = append(got, uint64(ce["seq"].(float64)))
		}
		return got
	}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "[1 2 3 4 5]"},
		{[]string{"--subject", "network"}, "[3 5]"},
		{[]string{"--subject", "tenant.d"}, "[4]"},
		{[]string{"--subject", "wardnet.ev.tenant.*", "--subject", "network.e"}, "[1 2 4 5]"},
		{[]string{"--type", "wardnet.tenant.created"}, "[1 2 4]"},
		{[]string{"--from-seq", "2", "--to-seq", "4"}, "[2 3 4]"},
		{[]string{"--since", "1h"}, "[1 2 3 4 5]"},
		{[]string{"--since", time.Now().Add(time.Hour).Format(time.RFC3339)}, "[]"},
		{[]string{"--until", "2000-01-01"}, "[]"},
	}
	for _, c := range cases {
		if got := fmtSeqs(seqs(c.args...)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.args, got, c.want)
		}
	}
}

func fmtSeqs(s []uint64) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(strings.ReplaceAll(string(b), ",", " "), "null", "[]")
}

func TestReplayRejectsBadFlags(t *testing.T) {
	t.Parallel()
	n := seed(t)
	for _, args := range [][]string{
		{"--output", "xml"},
		{"--since", "last tuesday"},
		{"--until", "-5m"},
		{"--since", "1h", "--until", "2h"},
		{"--subject", "a b"},
		{"--subject", "tenant.a.b"},
		{"--subject", "Tenant"},
		{"extra-arg"},
	} {
		_, _, err := run(context.Background(), n, append([]string{"events", "replay"}, args...)...)
		if err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, _, err := run(context.Background(), &testenv.NATS{URL: "nats://127.0.0.1:1"}, "events", "replay"); err == nil || !strings.Contains(err.Error(), "connect to NATS") {
		t.Errorf("unreachable NATS: err = %v", err)
	}
}

func TestTailFollows(t *testing.T) {
	t.Parallel()
	n := seed(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &testenv.Logs{}
	cmd := newRootCmd(out, &bytes.Buffer{})
	cmd.SetArgs([]string{"--nats-url", n.URL, "events", "tail", "--last", "2", "-o", "json"})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	c := events.NewCatalog()
	events.Register[tenantCreated](c, 1)
	s := events.NewStore(n.JS, c)
	testenv.Eventually(t, 10*time.Second, func() error {
		if n := strings.Count(out.String(), "\n"); n != 2 {
			return fmt.Errorf("%d lines of output, want 2", n)
		}
		return nil
	})
	if _, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: events.MustRef("tenant", "late"), Events: []events.Payload{tenantCreated{"late"}}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, func() error {
		if !strings.Contains(out.String(), `"late"`) {
			return fmt.Errorf("the late event is not in the output:\n%s", out.String())
		}
		return nil
	})
	if got := out.String(); !strings.Contains(got, `"seq":4`) || strings.Contains(got, `"seq":3`) {
		t.Fatalf("tail --last 2 printed:\n%s", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("tail ended with %v", err)
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := newProgressBar(&buf, 11, 20)
	clock := time.Unix(0, 0)
	b.now = func() time.Time { return clock }
	clock = clock.Add(time.Second)
	b.advance(15)
	if got := buf.String(); !strings.Contains(got, " 50%") || !strings.Contains(got, "seq 15 of 20") {
		t.Fatalf("half way: %q", got)
	}
	buf.Reset()
	b.advance(16) // within 100 ms: not redrawn
	if buf.Len() != 0 {
		t.Fatalf("redrawn too often: %q", buf.String())
	}
	b.advance(20) // the end is always drawn
	if !strings.Contains(buf.String(), "100%") {
		t.Fatalf("end: %q", buf.String())
	}
	b.finish()
	var nilBar *progressBar
	nilBar.advance(3)
	nilBar.finish()
}
