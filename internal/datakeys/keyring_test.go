package datakeys_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func randomMaster(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func newKeyring(t *testing.T, db *pgxpool.Pool, master []byte) *datakeys.Keyring {
	t.Helper()
	k, err := datakeys.New(db, master, datakeys.Options{})
	if err != nil {
		t.Fatalf("new keyring: %v", err)
	}
	return k
}

func seal(t *testing.T, k *datakeys.Keyring, keyID, plaintext string) string {
	t.Helper()
	s, err := k.Seal(context.Background(), keyID, []byte(plaintext))
	if err != nil {
		t.Fatalf("seal with %s: %v", keyID, err)
	}
	return s
}

func open(t *testing.T, k *datakeys.Keyring, s, want string) {
	t.Helper()
	got, err := k.Open(context.Background(), s)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if string(got) != want {
		t.Fatalf("open = %q, want %q", got, want)
	}
}

func openErr(t *testing.T, k *datakeys.Keyring, s string, want error) {
	t.Helper()
	got, err := k.Open(context.Background(), s)
	if !errors.Is(err, want) {
		t.Fatalf("open = %q, %v; want %v", got, err, want)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	master := randomMaster(t)
	a, b := newKeyring(t, db.Pool, master), newKeyring(t, db.Pool, master)

	big := strings.Repeat("x", 64<<10)
	for _, pt := range []string{"", "alice@example.com", "\x00\xff binary", big} {
		s := seal(t, a, datakeys.TenantKey("t1"), pt)
		open(t, a, s, pt)
		open(t, b, s, pt) // another replica
	}

	s1 := seal(t, a, datakeys.TenantKey("t1"), "same")
	s2 := seal(t, a, datakeys.TenantKey("t1"), "same")
	if s1 == s2 {
		t.Fatal("two seals of one value are equal (nonce reuse)")
	}
	if strings.Contains(s1, "same") {
		t.Fatal("sealed string contains the plaintext")
	}
	parts := strings.Split(s1, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		t.Fatalf("sealed string %q is not v1.<id>.<payload>", s1)
	}
	if id, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil || string(id) != "tenant:t1" {
		t.Fatalf("key id part = %q, %v", id, err)
	}
	var rows int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM data_keys`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("data_keys rows = %d, %v; want 1", rows, err)
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	k := newKeyring(t, db.Pool, randomMaster(t))
	s := seal(t, k, datakeys.TenantKey("t1"), "alice@example.com")
	seal(t, k, datakeys.TenantKey("t2"), "bob@example.com")
	parts := strings.Split(s, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}

	for i := range payload {
		p := bytes.Clone(payload)
		p[i] ^= 0x01
		openErr(t, k, parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(p), datakeys.ErrTampered)
	}
	// Moved to another tenant's key.
	other := base64.RawURLEncoding.EncodeToString([]byte("tenant:t2"))
	openErr(t, k, "v1."+other+"."+parts[2], datakeys.ErrTampered)
	// A key that does not exist.
	missing := base64.RawURLEncoding.EncodeToString([]byte("tenant:nobody"))
	openErr(t, k, "v1."+missing+"."+parts[2], datakeys.ErrUnknownKey)

	for _, bad := range []string{
		"",
		"v2." + parts[1] + "." + parts[2],
		"V1." + parts[1] + "." + parts[2],
		parts[1] + "." + parts[2],
		"v1." + parts[1],
		"v1." + parts[1] + "." + parts[2] + "=",
		"v1." + parts[1] + "." + parts[2][:10],
		"v1.." + parts[2],
		"v1." + parts[1] + "." + parts[2] + ".x",
		s + " ",
	} {
		openErr(t, k, bad, datakeys.ErrMalformed)
	}
	open(t, k, s, "alice@example.com")
}

func TestWrongMasterKey(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	right := randomMaster(t)
	k := newKeyring(t, db.Pool, right)
	s := seal(t, k, datakeys.TenantKey("t1"), "alice@example.com")

	wrong := newKeyring(t, db.Pool, randomMaster(t))
	openErr(t, wrong, s, datakeys.ErrMasterKey)
	if _, err := wrong.Seal(context.Background(), datakeys.TenantKey("t1"), []byte("x")); !errors.Is(err, datakeys.ErrMasterKey) {
		t.Fatalf("seal under a wrong master key: %v", err)
	}
	if wrong.Index("alice@example.com") == k.Index("alice@example.com") {
		t.Fatal("index does not depend on the master key")
	}
	if _, err := datakeys.New(db.Pool, right[:31], datakeys.Options{}); err == nil {
		t.Fatal("accepted a 31-byte master key")
	}
}

func TestDestroyShreds(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	master := randomMaster(t)
	a, b := newKeyring(t, db.Pool, master), newKeyring(t, db.Pool, master)
	ctx := context.Background()

	s := seal(t, a, datakeys.TenantKey("t1"), "alice@example.com")
	kept := seal(t, a, datakeys.TenantKey("t2"), "bob@example.com")
	open(t, a, s, "alice@example.com")
	open(t, b, s, "alice@example.com") // b has the key cached now

	if err := a.Destroy(ctx, datakeys.TenantKey("t1")); err != nil {
		t.Fatal(err)
	}
	openErr(t, a, s, datakeys.ErrShredded)
	openErr(t, b, s, datakeys.ErrShredded) // another replica, cache or not
	openErr(t, newKeyring(t, db.Pool, master), s, datakeys.ErrShredded)
	for _, k := range []*datakeys.Keyring{a, b} {
		if _, err := k.Seal(ctx, datakeys.TenantKey("t1"), []byte("new")); !errors.Is(err, datakeys.ErrShredded) {
			t.Fatalf("seal with a destroyed key: %v", err)
		}
	}
	open(t, b, kept, "bob@example.com")

	// Idempotent, and the wrapped key is gone from the row.
	if err := b.Destroy(ctx, datakeys.TenantKey("t1")); err != nil {
		t.Fatal(err)
	}
	var wrapped []byte
	var destroyed bool
	if err := db.Pool.QueryRow(ctx, `SELECT wrapped, destroyed_at IS NOT NULL FROM data_keys WHERE id = 'tenant:t1'`).Scan(&wrapped, &destroyed); err != nil {
		t.Fatal(err)
	}
	if len(wrapped) != 0 || !destroyed {
		t.Fatalf("destroyed row: wrapped %d bytes, destroyed %v", len(wrapped), destroyed)
	}

	// A key destroyed before it was ever used is never created.
	if err := a.Destroy(ctx, datakeys.TenantKey("t3")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Seal(ctx, datakeys.TenantKey("t3"), []byte("x")); !errors.Is(err, datakeys.ErrShredded) {
		t.Fatalf("seal with a tombstoned key: %v", err)
	}
	if err := a.Destroy(ctx, ""); !errors.Is(err, datakeys.ErrInvalidKeyID) {
		t.Fatalf("destroy of an empty id: %v", err)
	}
}

// Replicas sealing with a new key at once agree on one key.
func TestConcurrentFirstSealUsesOneKey(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	master := randomMaster(t)
	replicas := []*datakeys.Keyring{newKeyring(t, db.Pool, master), newKeyring(t, db.Pool, master)}

	const n = 20
	sealedStrs := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			sealedStrs[i], errs[i] = replicas[i%2].Seal(context.Background(), datakeys.DayKey(time.Now()), []byte{byte(i)})
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var rows int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM data_keys`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("data_keys rows = %d, %v; want 1", rows, err)
	}
	// A fresh keyring opens them all with the one stored key, so none was
	// sealed with a key that lost the race.
	fresh := newKeyring(t, db.Pool, master)
	for i, s := range sealedStrs {
		got, err := fresh.Open(context.Background(), s)
		if err != nil || len(got) != 1 || got[0] != byte(i) {
			t.Fatalf("open seal %d: %v, %v", i, got, err)
		}
	}
}

func TestIndex(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	master := randomMaster(t)
	a, b := newKeyring(t, db.Pool, master), newKeyring(t, db.Pool, master)
	x := a.Index("alice@example.com")
	if len(x) != 64 || strings.Trim(x, "0123456789abcdef") != "" {
		t.Fatalf("index %q is not 64 lower-case hex digits", x)
	}
	if b.Index("alice@example.com") != x {
		t.Fatal("index differs between keyrings with one master key")
	}
	if a.Index("Alice@example.com") == x || a.Index("") == x {
		t.Fatal("distinct values share an index")
	}
}

func TestKeyIDs(t *testing.T) {
	t.Parallel()
	if got := datakeys.TenantKey("0190-abc"); got != "tenant:0190-abc" {
		t.Fatalf("TenantKey = %s", got)
	}
	paris := time.FixedZone("UTC+2", 2*3600)
	if got := datakeys.DayKey(time.Date(2026, 5, 2, 1, 30, 0, 0, paris)); got != "day:2026-05-01" {
		t.Fatalf("DayKey = %s, want the UTC day", got)
	}
}

func TestLoadMasterKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, content []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // umask-proof
			t.Fatal(err)
		}
		return p
	}
	key := bytes.Repeat([]byte("k"), 32)

	for name, mode := range map[string]os.FileMode{"world": 0o644, "group": 0o640, "groupw": 0o620} {
		if _, err := datakeys.LoadMasterKey(write(name, key, mode)); err == nil {
			t.Errorf("accepted a key file of mode %04o", mode)
		}
	}
	if _, err := datakeys.LoadMasterKey(write("short", append(bytes.Clone(key[:31]), '\n'), 0o600)); err == nil {
		t.Error("accepted a 31-byte key (plus newline)")
	}
	if _, err := datakeys.LoadMasterKey(dir); err == nil {
		t.Error("accepted a directory")
	}
	if _, err := datakeys.LoadMasterKey(filepath.Join(dir, "missing")); err == nil {
		t.Error("accepted a missing file")
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		got, err := datakeys.LoadMasterKey(write("ok"+mode.String(), append(bytes.Clone(key), "\r\n"...), mode))
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("mode %04o: %q, %v", mode, got, err)
		}
	}

	db := testenv.Postgres(t)
	p := write("ring", key, 0o600)
	k, err := datakeys.NewFromFile(db.Pool, p, datakeys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	open(t, newKeyring(t, db.Pool, key), seal(t, k, "tenant:x", "v"), "v")
}
