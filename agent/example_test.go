package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
)

// A daemon's onboarding (contract §2.7) against a development tenants
// service, whose mail sender echoes the code.
func Example() {
	ctx := context.Background()
	statePath := filepath.Join("/tmp", "agent-example", "state.json")
	c, err := agent.NewClient("http://127.0.0.1:8080", &http.Client{Timeout: 10 * time.Second}, statePath)
	if err != nil {
		panic(err)
	}
	code, err := c.RequestCode(ctx, "owner@example.com")
	if err != nil || code == "" {
		panic(fmt.Sprint("no echoed code: ", err))
	}
	if _, err := c.Enroll(ctx, code); err != nil {
		panic(err)
	}
	if ok, err := c.Availability(ctx, "my-home"); err != nil || !ok {
		panic(fmt.Sprint("my-home is not available: ", err))
	}
	n, err := c.RegisterNetwork(ctx, "my-home", "Home", "local")
	if err != nil {
		panic(err)
	}
	tok, err := c.Token(ctx) // network-scoped now
	if err != nil {
		panic(err)
	}
	claims, _ := agent.ParseClaims(tok)
	fmt.Println(n.ID == claims.Network)
	_ = c.Teardown(ctx)
}
