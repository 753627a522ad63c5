package agent

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/pop"
)

func testPublicKey() ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(testSeed).Public().(ed25519.PublicKey)
}

// TestSuspendedFlag: a 403 on the token mint suspends, a later mint clears it.
func TestSuspendedFlag(t *testing.T) {
	clock := newFakeClock()
	st := enrolledState()
	var mu sync.Mutex
	status := http.StatusForbidden
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path != "/v1/token" || r.Header.Get("Authorization") != "" {
			t.Errorf("unexpected %s %s (Authorization %q)", r.Method, r.URL, r.Header.Get("Authorization"))
		}
		body := verifyPoP(t, r, testPublicKey())
		if want := `{"public_key":"` + st.PublicKey + `"}`; string(body) != want {
			t.Errorf("mint body %s, want %s", body, want)
		}
		mu.Lock()
		defer mu.Unlock()
		if status == http.StatusForbidden {
			return answer(status, `{"error":"tenant has no active subscription"}`), nil
		}
		return answer(status, `{"token":"`+jwtWith(`{"exp":`+itoa(clock.Now().Add(time.Hour).Unix())+`}`)+`"}`), nil
	})
	c, _ := newTestClient(t, rt, &st, clock)

	_, err := c.Token(t.Context())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden || apiErr.Message != "tenant has no active subscription" {
		t.Fatalf("Token: %v, want the 403 as *APIError", err)
	}
	if !c.Suspended() || !c.Status().Suspended {
		t.Error("not suspended after a 403 on mint")
	}
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	if _, err := c.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if c.Suspended() {
		t.Error("still suspended after a successful mint")
	}
}

// TestReplayedRequestIsSignedAgain: a proof refused as a replay is sent once
// more with a later timestamp.
func TestReplayedRequestIsSignedAgain(t *testing.T) {
	clock := newFakeClock()
	st := enrolledState()
	var stamps []string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		verifyPoP(t, r, testPublicKey())
		stamps = append(stamps, r.Header.Get(pop.HeaderTimestamp))
		if len(stamps) == 1 {
			return answer(http.StatusUnauthorized, `{"error":"replayed request"}`), nil
		}
		return answer(http.StatusOK, `{"token":"opaque"}`), nil
	})
	c, _ := newTestClient(t, rt, &st, clock)
	if _, err := c.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"1800000000", "1800000001"}; strings.Join(stamps, ",") != strings.Join(want, ",") {
		t.Errorf("timestamps %v, want %v", stamps, want)
	}
}

// TestRegisterNetworkSavesTheAnswer: the answer's id, slug and region are
// saved, and the next token is minted afresh.
func TestRegisterNetworkSavesTheAnswer(t *testing.T) {
	clock := newFakeClock()
	st := enrolledState()
	mints := 0
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body := verifyPoP(t, r, testPublicKey())
		switch r.URL.Path {
		case "/v1/token":
			mints++
			return answer(http.StatusOK, `{"token":"`+jwtWith(`{"exp":`+itoa(clock.Now().Add(time.Hour).Unix())+`}`)+`"}`), nil
		case "/v1/networks":
			if want := `{"slug":"my-net","display_name":"Home","region":"euc"}`; string(body) != want {
				t.Errorf("register body %s", body)
			}
			return answer(http.StatusOK, `{"id":"net-1","tenant_id":"`+st.TenantID+`","slug":"my-net","display_name":"Home","region":"euc-1","provisioning_state":"provisioning","created_at":"2027-01-15T08:00:00Z","updated_at":"2027-01-15T08:00:00Z"}`), nil
		}
		t.Errorf("unexpected %s %s", r.Method, r.URL)
		return answer(http.StatusNotFound, `{"error":"not found"}`), nil
	})
	c, path := newTestClient(t, rt, &st, clock)
	n, err := c.RegisterNetwork(t.Context(), "my-net", "Home", " euc ")
	if err != nil {
		t.Fatal(err)
	}
	if n.ID != "net-1" || n.Region != "euc-1" {
		t.Errorf("network %+v", n)
	}
	saved, _, err := loadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.NetworkID != "net-1" || saved.Slug != "my-net" || saved.Region != "euc-1" || saved.Seed != st.Seed {
		t.Errorf("saved state %+v", saved.LogValue())
	}
	if _, err := c.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if mints != 2 {
		t.Errorf("%d mints, want 2: the token before registering is forgotten", mints)
	}
	if _, err := c.RegisterNetwork(t.Context(), "other", "", "euc"); !errors.Is(err, ErrAlreadyRegistered) {
		t.Errorf("second registration: %v, want ErrAlreadyRegistered", err)
	}
	if _, err := c.Enroll(t.Context(), "ABC234"); !errors.Is(err, ErrAlreadyRegistered) {
		t.Errorf("enroll while registered: %v, want ErrAlreadyRegistered", err)
	}
}

// TestTeardownWipesWhenTheServerIsUnreachable: the removal is best-effort.
func TestTeardownWipesWhenTheServerIsUnreachable(t *testing.T) {
	st := enrolledState()
	st.NetworkID, st.Slug, st.Region = "net-1", "my-net", "euc"
	calls := 0
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		return nil, errors.New("connection refused")
	})
	c, path := newTestClient(t, rt, &st, newFakeClock())
	if err := c.Teardown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("teardown did not try to tell the server")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file after teardown: %v", err)
	}
	if s := c.Status(); s.Enrolled() || s.Registered() {
		t.Errorf("status after teardown %+v", s)
	}
	if err := c.Teardown(t.Context()); err != nil {
		t.Errorf("second teardown: %v", err)
	}
}

// TestLocalChecksSendNothing: invalid input is refused before any request.
func TestLocalChecksSendNothing(t *testing.T) {
	st := enrolledState()
	c, _ := newTestClient(t, noNetwork(t), &st, newFakeClock())
	for _, slug := range []string{"ab", "Upper", "-edge", "a/b?c=d", "my net"} {
		if _, err := c.Availability(t.Context(), slug); !errors.Is(err, ErrInvalidSlug) {
			t.Errorf("Availability(%q): %v, want ErrInvalidSlug", slug, err)
		}
		if _, err := c.RegisterNetwork(t.Context(), slug, "", "euc"); !errors.Is(err, ErrInvalidSlug) {
			t.Errorf("RegisterNetwork(%q): %v, want ErrInvalidSlug", slug, err)
		}
	}
	if _, err := c.RegisterNetwork(t.Context(), "my-net", "", "  "); err == nil {
		t.Error("RegisterNetwork without a region succeeded")
	}
	if _, err := c.Enroll(t.Context(), "  "); err == nil {
		t.Error("Enroll without a code succeeded")
	}
	empty, _ := newTestClient(t, noNetwork(t), nil, nil)
	if _, err := empty.Availability(t.Context(), "my-net"); !errors.Is(err, ErrNotEnrolled) {
		t.Errorf("Availability without identity: %v, want ErrNotEnrolled", err)
	}
}

func TestNetworkViewDecodes(t *testing.T) {
	var n Network
	err := json.Unmarshal([]byte(`{"id":"n","tenant_id":"t","slug":"abc","display_name":null,"region":"euc","provisioning_state":"provisioning","created_at":"2027-01-15T08:00:00Z","updated_at":"2027-01-15T08:00:00.123456Z"}`), &n)
	if err != nil || n.DisplayName != nil || n.UpdatedAt.Nanosecond() != 123456000 {
		t.Errorf("%+v, %v", n, err)
	}
}
