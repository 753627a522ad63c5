package passwords

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// hasher and bg are what the tests hash with.
var (
	hasher = NewHasher(0)
	bg     = context.Background()
)

var phcShape = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	const pw = "correct horse battery staple"
	h1, err := hasher.Hash(bg, pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := hasher.Hash(bg, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !phcShape.MatchString(h1) {
		t.Fatalf("hash %q is not the PHC form", h1)
	}
	if h1 == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{pw, true},
		{pw + " ", false},
		{strings.ToUpper(pw), false},
		{"", false},
	} {
		ok, err := hasher.Verify(bg, h1, tc.password)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v, want %v", tc.password, ok, err, tc.want)
		}
	}
	if NeedsRehash(h1) {
		t.Error("a new hash needs rehashing")
	}
}

// A hash made elsewhere verifies: the reference implementation's argon2id
// test vector (password "password", salt "somesalt", m=65536, t=2, p=1),
// with parameters other than ours, read from the string.
func TestVerifyReferenceVector(t *testing.T) {
	t.Parallel()
	const ref = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	if ok, err := hasher.Verify(bg, ref, "password"); err != nil || !ok {
		t.Fatalf("reference vector: %v, %v", ok, err)
	}
	if ok, err := hasher.Verify(bg, ref, "passwore"); err != nil || ok {
		t.Fatalf("reference vector, wrong password: %v, %v", ok, err)
	}
	if !NeedsRehash(ref) {
		t.Fatal("a hash with other parameters does not need rehashing")
	}
}

// A hash with a fixed salt is pinned: the stored form never changes
// silently.
func TestGoldenHash(t *testing.T) {
	t.Parallel()
	got := hashWithSalt("correct horse battery staple", []byte("wardnet-salt-16b"))
	path := filepath.Join("testdata", "hash.phc")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if !bytes.Equal([]byte(got), want) {
		t.Fatalf("%s changed:\n got %s\nwant %s", path, got, want)
	}
	if !phcShape.MatchString(got) {
		t.Fatalf("golden hash %q is not the PHC form", got)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		password string
		want     error
	}{
		{"", ErrTooShort},
		{"1234567", ErrTooShort},
		{"é€ab", ErrTooShort}, // 7 bytes, 4 characters: the bound is bytes
		{"12345678", nil},
		{"€€€", nil}, // 9 bytes
		{strings.Repeat("a", MaxLen), nil},
		{strings.Repeat("a", MaxLen+1), ErrTooLong},
	} {
		if err := Check(tc.password); !errors.Is(err, tc.want) {
			t.Errorf("Check(%d bytes) = %v, want %v", len(tc.password), err, tc.want)
		}
	}
	if _, err := hasher.Hash(bg, "short"); !errors.Is(err, ErrTooShort) {
		t.Errorf("Hash of a short password: %v", err)
	}
	if _, err := hasher.Hash(bg, strings.Repeat("a", MaxLen+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash of a long password: %v", err)
	}
}

func TestVerifyRefusesMalformed(t *testing.T) {
	t.Parallel()
	good := hashWithSalt("correct horse battery staple", []byte("wardnet-salt-16b"))
	parts := strings.Split(good, "$") // "", alg, v, params, salt, hash
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, s := range map[string]string{
		"empty":              "",
		"bcrypt":             "$2b$10$abcdefghijklmnopqrstuu5SlOpIsUALW8bQF3oBR8mTz9x3qUTim",
		"argon2i":            with(1, "argon2i"),
		"argon2d":            with(1, "argon2d"),
		"version 16":         with(2, "v=16"),
		"no version":         strings.Replace(good, "$v=19", "", 1),
		"params reordered":   with(3, "t=2,m=19456,p=1"),
		"param missing":      with(3, "m=19456,t=2"),
		"param extra":        with(3, "m=19456,t=2,p=1,k=1"),
		"m zero":             with(3, "m=0,t=2,p=1"),
		"m leading zero":     with(3, "m=019456,t=2,p=1"),
		"m signed":           with(3, "m=+19456,t=2,p=1"),
		"m below 8p":         with(3, "m=7,t=1,p=1"),
		"m 1 TiB":            with(3, "m=1073741824,t=2,p=1"),
		"m 257 MiB":          with(3, "m=263168,t=2,p=1"),
		"m overflows":        with(3, "m=99999999999,t=2,p=1"),
		"t zero":             with(3, "m=19456,t=0,p=1"),
		"t 17":               with(3, "m=19456,t=17,p=1"),
		"t huge":             with(3, "m=19456,t=4294967295,p=1"),
		"p zero":             with(3, "m=19456,t=2,p=0"),
		"p 256":              with(3, "m=19456,t=2,p=256"),
		"salt padded":        with(4, parts[4]+"=="),
		"salt not base64":    with(4, "!!!!!!!!!!!!!!!!!!!!!!"),
		"salt url alphabet":  with(4, "-_"+parts[4][2:]),
		"salt 4 bytes":       with(4, "AAAAAA"),
		"salt 100 bytes":     with(4, strings.Repeat("A", 132)+"AA"),
		"hash 8 bytes":       with(5, "AAAAAAAAAAA"),
		"hash padded":        with(5, parts[5]+"="),
		"hash non-canonical": with(5, parts[5][:42]+"F"),
		"hash with newline":  with(5, parts[5][:20]+"\n"+parts[5][20:]),
		"trailing field":     good + "$",
		"no leading $":       strings.TrimPrefix(good, "$"),
		"oversized":          good + strings.Repeat("A", 300),
	} {
		ok, err := hasher.Verify(bg, s, "correct horse battery staple")
		if ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify = %v, %v, want ErrMalformed", name, ok, err)
		}
		if !NeedsRehash(s) {
			t.Errorf("%s: a malformed hash does not need rehashing", name)
		}
	}
	// The bounds admit what they say: 256 MiB, t=16, p=16.
	if _, err := parsePHC(with(3, "m=262144,t=16,p=16")); err != nil {
		t.Errorf("upper bounds refused: %v", err)
	}
}

// VerifyDummy costs what a real verification costs because its hash has
// the current parameters and sizes: it does the same work.
func TestVerifyDummy(t *testing.T) {
	t.Parallel()
	if dummy.memory != Memory || dummy.time != Time || dummy.threads != Threads ||
		len(dummy.salt) != SaltLen || len(dummy.hash) != KeyLen {
		t.Fatalf("dummy hash parameters %+v are not the current ones", dummy)
	}
	if NeedsRehash(dummy.String()) {
		t.Fatal("dummy hash needs rehashing")
	}
	if err := hasher.VerifyDummy(bg, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "password", "correct horse battery staple"} {
		if dummy.matches(pw) {
			t.Fatalf("dummy hash matches %q", pw)
		}
	}
}

func FuzzParsePHC(f *testing.F) {
	f.Add(hashWithSalt("correct horse battery staple", []byte("wardnet-salt-16b")))
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$$")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePHC(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%q: error %v does not wrap ErrMalformed", s, err)
			}
			return
		}
		// Accepted: within bounds, and canonical (exactly one way to
		// write each hash).
		if p.memory > maxMemory || p.time < 1 || p.time > maxTime || p.threads < 1 || p.threads > maxThreads ||
			p.memory < 8*uint32(p.threads) || len(p.salt) < minSaltLen || len(p.salt) > maxSaltLen ||
			len(p.hash) < minKeyLen || len(p.hash) > maxKeyLen {
			t.Fatalf("%q: parsed out of bounds: %+v", s, p)
		}
		if p.String() != s {
			t.Fatalf("%q: not canonical, re-encodes as %q", s, p.String())
		}
	})
}
