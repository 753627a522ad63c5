package passwords

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Bounds on a parsed hash. They admit every sane argon2id configuration
// (OWASP's and RFC 9106's included) and refuse what would make one
// verification cost more than a quarter of a GiB or a few seconds.
const (
	maxPHCLen  = 256
	maxMemory  = 256 << 10 // KiB: 256 MiB
	maxTime    = 16
	maxThreads = 16
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// phc is a parsed argon2id PHC string.
type phc struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	salt    []byte
	hash    []byte
}

var b64 = base64.RawStdEncoding.Strict()

// String is the PHC form of p.
func (p phc) String() string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		p.memory, p.time, p.threads, b64.EncodeToString(p.salt), b64.EncodeToString(p.hash))
}

// parsePHC reads an argon2id PHC string strictly: version 19, the
// parameters m, t, p in that order in canonical decimal, salt and hash in
// canonical unpadded standard base64, everything within bounds.
func parsePHC(s string) (phc, error) {
	if len(s) > maxPHCLen {
		return phc{}, fmt.Errorf("%w: %d bytes", ErrMalformed, len(s))
	}
	fields := strings.Split(s, "$")
	if len(fields) != 6 || fields[0] != "" {
		return phc{}, fmt.Errorf("%w: want 5 fields", ErrMalformed)
	}
	if fields[1] != "argon2id" {
		return phc{}, fmt.Errorf("%w: algorithm is not argon2id", ErrMalformed)
	}
	if fields[2] != "v=19" {
		return phc{}, fmt.Errorf("%w: version is not 19", ErrMalformed)
	}
	params := strings.Split(fields[3], ",")
	if len(params) != 3 {
		return phc{}, fmt.Errorf("%w: want parameters m,t,p", ErrMalformed)
	}
	m, err := param(params[0], "m", maxMemory)
	if err != nil {
		return phc{}, err
	}
	t, err := param(params[1], "t", maxTime)
	if err != nil {
		return phc{}, err
	}
	p, err := param(params[2], "p", maxThreads)
	if err != nil {
		return phc{}, err
	}
	if m < 8*p { // argon2's own minimum
		return phc{}, fmt.Errorf("%w: m below 8×p", ErrMalformed)
	}
	salt, err := b64field(fields[4], "salt", minSaltLen, maxSaltLen)
	if err != nil {
		return phc{}, err
	}
	hash, err := b64field(fields[5], "hash", minKeyLen, maxKeyLen)
	if err != nil {
		return phc{}, err
	}
	return phc{memory: m, time: t, threads: uint8(p), salt: salt, hash: hash}, nil
}

// param reads "name=<decimal>" with a value in [1, max] and no sign or
// leading zero.
func param(s, name string, max uint32) (uint32, error) {
	v, ok := strings.CutPrefix(s, name+"=")
	if !ok {
		return 0, fmt.Errorf("%w: want parameter %s", ErrMalformed, name)
	}
	if v == "" || len(v) > 10 || v[0] == '0' || strings.Trim(v, "0123456789") != "" {
		return 0, fmt.Errorf("%w: parameter %s is not a canonical number", ErrMalformed, name)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > uint64(max) {
		return 0, fmt.Errorf("%w: parameter %s out of bounds", ErrMalformed, name)
	}
	return uint32(n), nil
}

func b64field(s, name string, minLen, maxLen int) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil || strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: %s is not unpadded base64", ErrMalformed, name)
	}
	if len(b) < minLen || len(b) > maxLen {
		return nil, fmt.Errorf("%w: %s of %d bytes", ErrMalformed, name, len(b))
	}
	return b, nil
}
