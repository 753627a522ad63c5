package passwords

import "context"

// unlimited backs the package-level functions below, which callers are
// moving off.
var unlimited = NewHasher(1 << 10)

// Hash is Hasher.Hash without a limit.
//
// Deprecated: use a Hasher.
func Hash(password string) (string, error) { return unlimited.Hash(context.Background(), password) }

// Verify is Hasher.Verify without a limit.
//
// Deprecated: use a Hasher.
func Verify(stored, password string) (bool, error) {
	return unlimited.Verify(context.Background(), stored, password)
}

// VerifyDummy is Hasher.VerifyDummy without a limit.
//
// Deprecated: use a Hasher.
func VerifyDummy(password string) { _ = unlimited.VerifyDummy(context.Background(), password) }
