package pop

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// subject is the replay subject of the fixed daemon: its key, as in sub.
func subject(t testing.TB) string {
	return base64.StdEncoding.EncodeToString(daemonKey(t).Public().(ed25519.PublicKey))
}

func newVerifier(t testing.TB, js jetstream.JetStream, clock func() time.Time) *Verifier {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := NewVerifier(ctx, js, Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// signed is a request as a server receives it, signed by key at at.
func signed(t testing.TB, key ed25519.PrivateKey, method, target string, body []byte, at time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	SignRequest(r, key, body, at)
	return r
}

func fixedClock() time.Time { return fixedNow }

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	v := newVerifier(t, n.JS, fixedClock)
	key := daemonKey(t)
	pub := key.Public().(ed25519.PublicKey)
	ctx := context.Background()
	for _, tc := range []struct {
		name, method, target string
		body                 []byte
		at                   time.Time
	}{
		{"GET, empty body", "GET", "/v1/availability?slug=home", nil, fixedNow},
		{"POST with body", "POST", "/v1/networks", []byte(`{"slug":"home"}`), fixedNow},
		{"encoded path and query", "PUT", "/v1/acme-challenge/a%2Fb?x=a%20b&y=", []byte("{}"), fixedNow},
		{"60 s behind", "GET", "/v1/behind", nil, fixedNow.Add(-Window)},
		{"60 s ahead", "GET", "/v1/ahead", nil, fixedNow.Add(Window)},
	} {
		r := signed(t, key, tc.method, tc.target, tc.body, tc.at)
		if err := v.Verify(ctx, r, subject(t), pub, tc.body); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// The window is in whole seconds of the clock: 60.999 s after the
	// timestamp is still within it, 61 s is not.
	late := newVerifier(t, n.JS, func() time.Time { return fixedNow.Add(Window + 999*time.Millisecond) })
	if err := late.Verify(ctx, signed(t, key, "GET", "/v1/subsecond", nil, fixedNow), subject(t), pub, nil); err != nil {
		t.Errorf("60.999 s behind: %v", err)
	}
}

// The timestamp is parsed as an integer and re-formatted for the message,
// as the contract says: a daemon that sends "+1782907200" or a leading
// zero has signed the canonical form.
func TestVerifyReformatsTimestamp(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	v := newVerifier(t, n.JS, fixedClock)
	key := daemonKey(t)
	for i, header := range []string{"+1782907200", "01782907200"} {
		target := "/v1/ts/" + strconv.Itoa(i)
		canonical, sig := Sign(key, "GET", target, fixedNow, nil)
		if canonical == header {
			t.Fatal("test header is canonical")
		}
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set(HeaderTimestamp, header)
		r.Header.Set(HeaderSignature, sig)
		if err := v.Verify(context.Background(), r, subject(t), key.Public().(ed25519.PublicKey), nil); err != nil {
			t.Errorf("%q: %v", header, err)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	v := newVerifier(t, n.JS, fixedClock)
	key := daemonKey(t)
	pub := key.Public().(ed25519.PublicKey)
	_, other, _ := ed25519.GenerateKey(nil)
	body := []byte(`{"slug":"home"}`)
	const target = "/v1/networks?x=1"

	good := func() *http.Request { return signed(t, key, "POST", target, body, fixedNow) }
	withHeader := func(name string, values ...string) *http.Request {
		r := good()
		r.Header.Del(name)
		for _, v := range values {
			r.Header.Add(name, v)
		}
		return r
	}
	sigOf := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	goodSig := good().Header.Get(HeaderSignature)
	rawSig, _ := base64.StdEncoding.DecodeString(goodSig)
	flipped := append([]byte(nil), rawSig...)
	flipped[3] ^= 1
	retarget := func(method, target string) *http.Request {
		r := httptest.NewRequest(method, target, bytes.NewReader(body))
		r.Header = good().Header
		return r
	}

	cases := []struct {
		name string
		r    *http.Request
		key  ed25519.PublicKey
		body []byte
		want error
	}{
		{"61 s behind", signed(t, key, "POST", target, body, fixedNow.Add(-Window-time.Second)), pub, body, ErrTimestamp},
		{"61 s ahead", signed(t, key, "POST", target, body, fixedNow.Add(Window+time.Second)), pub, body, ErrTimestamp},
		{"far past", withHeader(HeaderTimestamp, "-9223372036854775808"), pub, body, ErrTimestamp},
		{"far future", withHeader(HeaderTimestamp, "9223372036854775807"), pub, body, ErrTimestamp},
		{"timestamp missing", withHeader(HeaderTimestamp), pub, body, ErrTimestamp},
		{"timestamp empty", withHeader(HeaderTimestamp, ""), pub, body, ErrTimestamp},
		{"timestamp twice", withHeader(HeaderTimestamp, "1782907200", "1782907200"), pub, body, ErrTimestamp},
		{"timestamp not decimal", withHeader(HeaderTimestamp, "0x6A64F5C0"), pub, body, ErrTimestamp},
		{"timestamp fractional", withHeader(HeaderTimestamp, "1782907200.0"), pub, body, ErrTimestamp},
		{"timestamp overflows", withHeader(HeaderTimestamp, "99999999999999999999"), pub, body, ErrTimestamp},
		{"timestamp in ms", withHeader(HeaderTimestamp, "1782907200000"), pub, body, ErrTimestamp},
		{"signature missing", withHeader(HeaderSignature), pub, body, ErrSignature},
		{"signature twice", withHeader(HeaderSignature, goodSig, goodSig), pub, body, ErrSignature},
		{"signature not base64", withHeader(HeaderSignature, "!"+goodSig[1:]), pub, body, ErrSignature},
		{"signature url alphabet", withHeader(HeaderSignature, "-_"+goodSig[2:]), pub, body, ErrSignature},
		{"signature unpadded", withHeader(HeaderSignature, base64.RawStdEncoding.EncodeToString(rawSig)), pub, body, ErrSignature},
		// The last character before "==" carries 4 zero bits; 'B' sets one.
		{"signature non-canonical padding bits", withHeader(HeaderSignature, goodSig[:85]+"B=="), pub, body, ErrSignature},
		{"signature with line break", withHeader(HeaderSignature, goodSig[:40]+"\n"+goodSig[40:]), pub, body, ErrSignature},
		{"signature 63 bytes", withHeader(HeaderSignature, sigOf(rawSig[:63])), pub, body, ErrSignature},
		{"signature 65 bytes", withHeader(HeaderSignature, sigOf(append(rawSig, 0))), pub, body, ErrSignature},
		{"signature flipped bit", withHeader(HeaderSignature, sigOf(flipped)), pub, body, ErrSignature},
		{"wrong key", good(), other.Public().(ed25519.PublicKey), body, ErrSignature},
		{"short key", good(), pub[:31], body, ErrSignature},
		{"no key", good(), nil, body, ErrSignature},
		{"tampered body", good(), pub, []byte(`{"slug":"hone"}`), ErrSignature},
		{"empty body", good(), pub, nil, ErrSignature},
		{"tampered path", retarget("POST", "/v1/networkz?x=1"), pub, body, ErrSignature},
		{"tampered query", retarget("POST", "/v1/networks?x=2"), pub, body, ErrSignature},
		{"query dropped", retarget("POST", "/v1/networks"), pub, body, ErrSignature},
		{"path decoded", retarget("POST", "/v1/networks?x=%31"), pub, body, ErrSignature},
		{"tampered method", retarget("PUT", target), pub, body, ErrSignature},
		{"method lower case", retarget("post", target), pub, body, ErrSignature},
	}
	// The group returns once its parallel cases are done.
	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				err := v.Verify(context.Background(), tc.r, subject(t), tc.key, tc.body)
				if err != tc.want { // the sentinels themselves, so authn can send err.Error()
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
			})
		}
	})
	// None of them burnt the genuine request's place in the replay cache.
	if err := v.Verify(context.Background(), good(), subject(t), pub, body); err != nil {
		t.Fatalf("genuine request after the refusals: %v", err)
	}
}

func TestVerifyReplay(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	v := newVerifier(t, n.JS, fixedClock)
	key := daemonKey(t)
	pub := key.Public().(ed25519.PublicKey)
	ctx := context.Background()

	r := signed(t, key, "GET", "/v1/availability?slug=home", nil, fixedNow)
	if err := v.Verify(ctx, r, subject(t), pub, nil); err != nil {
		t.Fatalf("first: %v", err)
	}
	if err := v.Verify(ctx, r, subject(t), pub, nil); err != ErrReplayed {
		t.Fatalf("replay: %v, want ErrReplayed", err)
	}
	// The same request a second later is a new request.
	if err := v.Verify(ctx, signed(t, key, "GET", "/v1/availability?slug=home", nil, fixedNow.Add(time.Second)), subject(t), pub, nil); err != nil {
		t.Fatalf("next second: %v", err)
	}

	// Two different requests in the same second with the same (empty)
	// body are not replays of each other, unlike the reference's key.
	for _, target := range []string{"/v1/a", "/v1/b", "/v1/a?x=1"} {
		if err := v.Verify(ctx, signed(t, key, "GET", target, nil, fixedNow), subject(t), pub, nil); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
	if err := v.Verify(ctx, signed(t, key, "DELETE", "/v1/a", nil, fixedNow), subject(t), pub, nil); err != nil {
		t.Fatalf("DELETE after GET of the same path: %v", err)
	}
	// Replays are per subject: the same signed request under another
	// subject is another caller's (authn never does this with one key).
	if err := v.Verify(ctx, signed(t, key, "GET", "/v1/a", nil, fixedNow), "another-subject", pub, nil); err != nil {
		t.Fatalf("other subject: %v", err)
	}
}

// Two replicas on one NATS share the replay cache: a request accepted by
// one is refused by the other.
func TestVerifyReplayAcrossReplicas(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	key := daemonKey(t)
	pub := key.Public().(ed25519.PublicKey)
	ctx := context.Background()

	replica := func() *Verifier {
		nc, err := nats.Connect(n.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		return newVerifier(t, js, fixedClock)
	}
	a, b := replica(), replica()
	body := []byte(`{"slug":"home"}`)
	r := signed(t, key, "POST", "/v1/networks", body, fixedNow)
	if err := a.Verify(ctx, r, subject(t), pub, body); err != nil {
		t.Fatalf("replica a: %v", err)
	}
	if err := b.Verify(ctx, r, subject(t), pub, body); err != ErrReplayed {
		t.Fatalf("replica b: %v, want ErrReplayed", err)
	}

	// Many replicas racing with one request: exactly one accepts it.
	r = signed(t, key, "POST", "/v1/race", body, fixedNow)
	errs := make(chan error, 8)
	for i := range 8 {
		v := a
		if i%2 == 1 {
			v = b
		}
		go func() { errs <- v.Verify(ctx, r.Clone(ctx), subject(t), pub, body) }()
	}
	accepted := 0
	for range 8 {
		switch err := <-errs; err {
		case nil:
			accepted++
		case ErrReplayed:
		default:
			t.Fatalf("race: %v", err)
		}
	}
	if accepted != 1 {
		t.Fatalf("%d of 8 racing copies accepted, want 1", accepted)
	}
}

func TestReplayBucket(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	ctx := context.Background()
	newVerifier(t, n.JS, nil)
	newVerifier(t, n.JS, nil) // a second replica finds it and keeps it
	kv, err := n.JS.KeyValue(ctx, ReplayBucket)
	if err != nil {
		t.Fatal(err)
	}
	st, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info := st.(*jetstream.KeyValueBucketStatus).StreamInfo()
	if st.TTL() != 120*time.Second || st.History() != 1 || info.Config.Storage != jetstream.FileStorage {
		t.Fatalf("bucket: ttl %v history %d storage %v", st.TTL(), st.History(), info.Config.Storage)
	}
}

// When the replay cache cannot be reached the request is neither accepted
// nor refused: the error is none of the sentinels.
func TestVerifyCacheUnavailable(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	nc, err := nats.Connect(n.URL)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, js, fixedClock)
	nc.Close()
	key := daemonKey(t)
	err = v.Verify(context.Background(), signed(t, key, "GET", "/v1/a", nil, fixedNow), subject(t), key.Public().(ed25519.PublicKey), nil)
	if err == nil || errors.Is(err, ErrReplayed) || errors.Is(err, ErrSignature) || errors.Is(err, ErrTimestamp) {
		t.Fatalf("closed connection: %v, want a cache error", err)
	}
}

// End to end over a real HTTP server: the daemon's SignRequest and the
// server's RequestURI agree on the request target, encoding included.
func TestSignRequestVerifiesOverHTTP(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	v := newVerifier(t, n.JS, nil)
	key := daemonKey(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := v.Verify(r.Context(), r, subject(t), key.Public().(ed25519.PublicKey), body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)

	for _, target := range []string{"/v1/ip", "/v1/acme-challenge/a%2Fb?token=x%20y&z=%E2%9C%93", "/v1/q?a=1&a=2"} {
		body := []byte(`{"ip":"192.0.2.1"}`)
		req, err := http.NewRequest("PUT", srv.URL+target, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		SignRequest(req, key, body, time.Now())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("%s: %d %s", target, resp.StatusCode, msg)
		}
	}
}
