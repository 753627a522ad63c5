package tunneller_test

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

// A stopping node drains: it asks its v2 daemons to move (GOAWAY,
// draining), keeps routing new connections through their tunnels
// meanwhile (make before break), closes the tunnels left after the grace
// with 4003, and only then stops; Run returns nil.
func TestShutdownDrainsTunnels(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	logs := testenv.NewLogs(t)
	ten := servicetest.StartTenants(t, servicetest.TenantsConfig(t, n, testenv.Postgres(t)))
	cfg := servicetest.TunnellerConfig(t, n, testenv.Postgres(t), ten.URL)
	cfg.DrainGrace = 2 * time.Second
	svc, err := tunneller.New(t.Context(), cfg, tunneller.WithServiceOptions(host.WithLogger(logs.Logger())))
	must(t, err)
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- svc.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		<-ran
	})
	base := "http://" + svc.APIAddr().String()
	testenv.Eventually(t, patience, func() error { return host.Probe(t.Context(), svc.Addr().String(), "/readyz") })

	// A daemon with a network, and its v2 tunnel, dialed by hand.
	state := filepath.Join(t.TempDir(), "state.json")
	c, err := agent.NewClient(ten.URL, nil, state, agent.WithLogger(logs.Logger()))
	must(t, err)
	code, err := c.RequestCode(t.Context(), "alice@example.com")
	must(t, err)
	_, err = c.Enroll(t.Context(), code)
	must(t, err)
	_, err = c.RegisterNetwork(t.Context(), "alices-lab", "", servicetest.Region)
	must(t, err)
	key := readKey(t, state)
	var sess *tunnel.Session
	testenv.Eventually(t, patience, func() error { // until the trial reaches the table
		var err error
		sess, err = dialV2(t, c, key, base)
		return err
	})
	sessDone := make(chan struct{})
	go func() {
		defer close(sessDone)
		_ = sess.Run(context.Background())
	}()
	testenv.Eventually(t, patience, func() error {
		if n := svc.Stats().Tunnels; n != 1 {
			return fmt.Errorf("%d tunnels", n)
		}
		return nil
	})

	stop()
	asked := time.Now()
	select {
	case g := <-sess.GoAwayReceived():
		if g.Reason != frame.GoAwayDraining {
			t.Errorf("GOAWAY %s, want draining", g.Reason)
		}
	case <-time.After(patience):
		t.Fatal("no GOAWAY from the stopping node")
	}
	// Draining, the node still routes connections to the tunnel.
	conn, err := net.Dial("tcp", svc.HTTPSAddr().String())
	must(t, err)
	defer conn.Close()
	_, err = conn.Write(clientHelloFor(t, "app.alices-lab."+servicetest.TunnelZone))
	must(t, err)
	actx, cancel := context.WithTimeout(t.Context(), patience)
	st, err := sess.Accept(actx)
	cancel()
	must(t, err)
	_ = st.Close()

	select {
	case <-sessDone:
	case <-time.After(patience):
		t.Fatal("the tunnel was not closed after the grace")
	}
	var ce *tunnel.CloseError
	if !errors.As(sess.Err(), &ce) || ce.Code != frame.CloseNodeDraining {
		t.Errorf("the tunnel ended with %v, want 4003", sess.Err())
	}
	if took := time.Since(asked); took < cfg.DrainGrace {
		t.Errorf("closed after %s, before the grace of %s", took, cfg.DrainGrace)
	}
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		ran <- nil
	case <-time.After(patience):
		t.Fatal("Run did not return")
	}
}

// dialV2 dials the daemon's tunnel at base as the agent does: the
// network-scoped token and a proof of possession over GET /v1/tunnel.
func dialV2(t *testing.T, c *agent.Client, key ed25519.PrivateKey, base string) (*tunnel.Session, error) {
	tok, err := c.Token(t.Context())
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodGet, base+agent.TunnelPath, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	pop.SignRequest(req, key, nil, nextStamp())
	ws, resp, err := websocket.Dial(t.Context(), req.URL.String(), &websocket.DialOptions{
		HTTPHeader: req.Header, Subprotocols: frame.Subprotocols(),
	})
	if err != nil {
		if resp != nil && resp.Body != nil {
			b, _ := io.ReadAll(resp.Body)
			return nil, fmt.Errorf("%w: %s", err, b)
		}
		return nil, err
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	return tunnel.NewDaemon(tunnel.NewWebSocketConn(ws, frame.V2), tunnel.Options{}), nil
}

// stamps hands out increasing timestamps, so that two dials in a second
// are not a replay.
var stamps = make(chan int64, 1)

func init() { stamps <- 0 }

func nextStamp() time.Time {
	last := <-stamps
	ts := max(time.Now().Unix(), last+1)
	stamps <- ts
	return time.Unix(ts, 0)
}

// readKey reads the daemon's key from the agent's state file, as only a
// test does.
func readKey(t *testing.T, path string) ed25519.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	var st struct {
		Seed string `json:"seed"`
	}
	must(t, json.Unmarshal(b, &st))
	seed, err := base64.StdEncoding.DecodeString(st.Seed)
	must(t, err)
	return ed25519.NewKeyFromSeed(seed)
}

// clientHelloFor is the first flight of a TLS client for serverName.
func clientHelloFor(t *testing.T, serverName string) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	out := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 64<<10)
		n, _ := b.Read(buf)
		out <- buf[:n]
		_ = b.Close()
	}()
	go func() { _ = tls.Client(a, &tls.Config{ServerName: serverName}).Handshake() }()
	return <-out
}
