package tenants_test

// The fixture every command's test runs on: the App on a real log
// (in-process NATS) and real Postgres, with real data keys, limiters and
// password hashing, a stopped clock the test moves, and a mailbox in place
// of the mail sender. No projection runs: a test reads what a command decided
// from the log, or from what the command returns.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// region is the only region the fixture knows.
const region = "local"

// password is a password every check accepts.
const password = "correct horse battery"

// limits are the fixture's limits per client and of the cluster-wide
// budget of wrong codes.
type limits struct {
	codes, logins, codeFailures ratelimit.Limit
	// budget is each purpose's budget; its name is suffixed with the
	// purpose.
	budget ratelimit.Limit
}

// roomy limits stay out of the way of tests that do not test them; every
// call comes from a client of its own anyway (fixture.client).
var roomy = limits{
	codes:        ratelimit.Limit{Name: "codes", Max: 100, Window: time.Hour},
	logins:       ratelimit.Limit{Name: "logins", Max: 100, Window: time.Hour},
	codeFailures: ratelimit.Limit{Name: "code-failures", Max: 100, Window: time.Hour},
	budget:       ratelimit.Limit{Name: "budget", Max: 100, Window: 5 * time.Minute},
}

type fixture struct {
	t     *testing.T
	app   *tenants.App
	store *events.Store
	clock *testenv.Clock
	mail  *mailbox
	keys  *datakeys.Keyring
	// tokens verifies the tokens the commands mint.
	tokens *tokens.Verifier
	// hasher is the commands' password hasher, whose count tests read.
	hasher *passwords.Hasher
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, roomy)
}

func newFixtureWith(t *testing.T, l limits) *fixture {
	t.Helper()
	ctx := t.Context()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	cat := events.NewCatalog()
	tenants.Catalog(cat)
	f := &fixture{t: t, store: n.Store(t, cat), clock: testenv.StoppedClock(time.Now().UTC().Truncate(time.Second)), mail: &mailbox{}, hasher: passwords.NewHasher(0)}
	master := make([]byte, datakeys.MinMasterKeyLen)
	_, _ = rand.Read(master)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	f.keys, err = datakeys.New(db.Pool, master, datakeys.Options{Clock: f.clock.Now, Logger: log})
	must(t, err)
	_, signingKey, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	signer, err := tokens.NewSigner(signingKey)
	must(t, err)
	f.tokens = tokens.NewVerifier(tokens.AudienceTenants, signer.Keys())
	opts := ratelimit.Options{Clock: f.clock.Now}
	lim := tenants.Limiters{CodeBudgets: map[code.Purpose]tenants.Budget{}}
	lim.CodeLimit, err = ratelimit.New(ctx, n.JS, l.codes, opts)
	must(t, err)
	lim.LoginLimit, err = ratelimit.New(ctx, n.JS, l.logins, opts)
	must(t, err)
	lim.CodeFailures, err = ratelimit.New(ctx, n.JS, l.codeFailures, opts)
	must(t, err)
	for _, p := range []code.Purpose{code.PurposeEnrollment, code.PurposeSignup, code.PurposePasswordReset} {
		b := l.budget
		b.Name += "-" + string(p)
		lim.CodeBudgets[p], err = ratelimit.NewBudget(ctx, n.JS, b, 1)
		must(t, err)
	}
	f.app, err = tenants.New(tenants.Deps{
		Store: f.store, Pool: db.Pool, Keyring: f.keys, Signer: signer, Mail: f.mail, Limiters: lim,
		Passwords: f.hasher, Regions: naming.Regions{region}, Now: f.clock.Now, Logger: log,
	})
	must(t, err)
	return f
}

// mailbox is the fixture's Mailer: it keeps every code it is given.
type mailbox struct {
	mu   sync.Mutex
	echo bool
	fail error
	sent map[personal.Email][]mailed
}

type mailed struct {
	code    code.Code
	purpose code.Purpose
}

var _ tenants.Mailer = (*mailbox)(nil)

func (m *mailbox) SendCode(_ context.Context, to personal.Email, c code.Code, purpose code.Purpose) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if m.sent == nil {
		m.sent = map[personal.Email][]mailed{}
	}
	m.sent[to] = append(m.sent[to], mailed{c, purpose})
	return nil
}

func (m *mailbox) Echoes() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.echo
}

// to is every code mailed to an address, oldest first.
func (m *mailbox) to(addr string) []mailed {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent[personal.Email(addr)]
}

// lastCode is the last code mailed to an address.
func (f *fixture) lastCode(addr string) code.Code {
	f.t.Helper()
	got := f.mail.to(addr)
	if len(got) == 0 {
		f.t.Fatalf("no code mailed to %s", addr)
	}
	return got[len(got)-1].code
}

// clients hands every call a client address of its own, so that the
// per-client limits engage only where a test reuses one.
var clients atomic.Uint32

func client() netip.Addr {
	n := clients.Add(1)
	return netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)})
}

// code issues a code for purpose to email and returns it, as mailed.
func (f *fixture) code(email string, purpose code.Purpose) code.Code {
	f.t.Helper()
	_, err := f.app.IssueCode(f.t.Context(), tenants.IssueCode{Email: email, Purpose: string(purpose), Client: client()})
	must(f.t, err)
	return f.lastCode(email)
}

func newKey(t testing.TB) ids.DaemonKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	k, err := ids.DaemonKeyOf(pub)
	must(t, err)
	return k
}

// enroll enrolls a new daemon key with an enrollment code for email: the
// daemon as its tenant-scoped token names it.
func (f *fixture) enroll(email string) tenants.Daemon {
	f.t.Helper()
	key := newKey(f.t)
	tenantID, err := f.app.Enroll(f.t.Context(), tenants.Enroll{
		Code: string(f.code(email, code.PurposeEnrollment)), PublicKey: key.String(), Client: client()})
	must(f.t, err)
	return tenants.Daemon{TenantID: tenantID, Key: key}
}

// register registers a network named slug with daemon d: the network, and
// the daemon as its network-scoped token names it.
func (f *fixture) register(d tenants.Daemon, slug string) (tenants.RegisteredNetwork, tenants.Daemon) {
	f.t.Helper()
	n, err := f.app.RegisterNetwork(f.t.Context(), tenants.RegisterNetwork{Caller: d, Slug: slug, Region: region})
	must(f.t, err)
	d.NetworkID = n.ID
	return n, d
}

// signup signs email up with the fixture's password.
func (f *fixture) signup(email string) tenants.SessionToken {
	f.t.Helper()
	tok, err := f.app.Signup(f.t.Context(), tenants.Signup{
		Email: email, Code: string(f.code(email, code.PurposeSignup)), Password: password, Client: client()})
	must(f.t, err)
	return tok
}

// records is the log of one aggregate.
func (f *fixture) records(typ, id string) []events.Record {
	f.t.Helper()
	var out []events.Record
	for rec, err := range f.store.Load(f.t.Context(), events.MustRef(typ, id), 0) {
		must(f.t, err)
		out = append(out, rec)
	}
	return out
}

// log is the payloads of one aggregate's events.
func (f *fixture) log(typ, id string) []events.Payload {
	f.t.Helper()
	var out []events.Payload
	for _, rec := range f.records(typ, id) {
		out = append(out, rec.Data)
	}
	return out
}

// lastSeq is the end of the log.
func (f *fixture) lastSeq() events.StreamSeq {
	f.t.Helper()
	seq, err := f.store.LastSeq(f.t.Context())
	must(f.t, err)
	return seq
}

// emailIndex is the subject of email's reservation.
func (f *fixture) emailIndex(email string) string { return f.keys.Index(email) }

// cause is an event of the log that a lifecycle command follows: the last
// of aggregate typ/id, of the payload's type.
func (f *fixture) cause(typ, id string, of events.Payload) events.Record {
	f.t.Helper()
	recs := f.records(typ, id)
	for i := len(recs) - 1; i >= 0; i-- {
		if reflect.TypeOf(recs[i].Data) == reflect.TypeOf(of) {
			return recs[i]
		}
	}
	f.t.Fatalf("no %T in %s/%s", of, typ, id)
	return events.Record{}
}

// wantLog checks one aggregate's events, in order.
func (f *fixture) wantLog(typ, id string, want ...events.Payload) {
	f.t.Helper()
	if got := f.log(typ, id); !reflect.DeepEqual(got, want) && (len(got) != 0 || len(want) != 0) {
		f.t.Errorf("%s/%s:\n got %#v\nwant %#v", typ, id, got, want)
	}
}

// wantOneAppend checks that records were appended by one command, which
// appends atomically: their ids are "<command id>.<n>".
func (f *fixture) wantOneAppend(recs ...events.Record) {
	f.t.Helper()
	command := func(r events.Record) string { return r.ID[:strings.LastIndexByte(r.ID, '.')] }
	for _, r := range recs[1:] {
		if command(r) != command(recs[0]) {
			f.t.Errorf("%s (%s) and %s (%s) are not one append", r.Type, r.ID, recs[0].Type, recs[0].ID)
		}
	}
}

// wantRefused checks that err is a refusal of kind with message msg.
func wantRefused(t testing.TB, err error, kind tenants.Kind, msg string) {
	t.Helper()
	var e *tenants.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want a refusal %d %q", err, kind, msg)
	}
	if e.Kind != kind || e.Message != msg {
		t.Fatalf("refusal %d %q, want %d %q", e.Kind, e.Message, kind, msg)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// emails hands every call an address of its own.
var emails atomic.Uint32

func newEmail(name string) string { return fmt.Sprintf("%s-%d@example.com", name, emails.Add(1)) }

// closeSubscription closes a tenant's subscription as billing will (no
// command decides it yet): appended to the log as is.
func (f *fixture) closeSubscription(tenantID ids.TenantID) events.Record {
	f.t.Helper()
	ref := events.MustRef(subscription.Type, tenantID.String())
	_, err := f.store.Append(f.t.Context(), events.Meta{TenantID: tenantID.String(), Actor: "test:billing"}, events.Change{
		Aggregate: ref, Expect: events.AnyVersion(), Events: []events.Payload{subscription.Closed{Reason: subscription.ReasonExpired}},
	})
	must(f.t, err)
	return f.cause(subscription.Type, tenantID.String(), subscription.Closed{})
}
