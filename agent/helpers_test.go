package agent

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

const testServer = "http://tenants.test:8080"

// testSeed is a fixed identity, so that signatures are reproducible.
var testSeed = bytes.Repeat([]byte{7}, ed25519.SeedSize)

// enrolledState is a state bound to a tenant with testSeed.
func enrolledState() state {
	key := ed25519.NewKeyFromSeed(testSeed)
	return state{
		Seed:      base64.StdEncoding.EncodeToString(testSeed),
		PublicKey: encodeKey(key.Public().(ed25519.PublicKey)),
		TenantID:  "6f1c2d3e-0000-4000-8000-000000000001",
		Server:    testServer,
	}
}

// newFakeClock is a stopped clock for a client's tests.
func newFakeClock() *testenv.Clock { return testenv.StoppedClock(time.Unix(1_800_000_000, 0)) }

// roundTripFunc stands in for the network in the few tests of the client's
// own reactions to an answer (suspension, replays, teardown). It is not a
// tenants service: the end-to-end tests run against the real one.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// noNetwork fails the test if anything is sent.
func noNetwork(t *testing.T) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		return nil, io.ErrUnexpectedEOF
	})
}

func answer(status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewBufferString(body)),
	}
}

// newTestClient opens a Client on a state file in a temporary directory,
// holding st unless it is nil.
func newTestClient(t *testing.T, rt http.RoundTripper, st *state, clock *testenv.Clock) (*Client, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent", "state.json")
	if st != nil {
		if err := saveState(path, *st); err != nil {
			t.Fatal(err)
		}
	}
	opts := []Option{WithLogger(discardLogger())}
	if clock != nil {
		opts = append(opts, WithClock(clock.Now))
	}
	c, err := NewClient(testServer, &http.Client{Transport: rt}, path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, path
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func isNotEnrolled(err error) bool { return errors.Is(err, ErrNotEnrolled) }
