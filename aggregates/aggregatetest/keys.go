package aggregatetest

import (
	"crypto/ed25519"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// DaemonKey is the public key of the Ed25519 key pair whose seed is seed
// followed by zeros: the same key in every run, a different one per seed.
func DaemonKey(seed byte) ids.DaemonKey {
	b := make([]byte, ed25519.SeedSize)
	b[0] = seed
	k, err := ids.DaemonKeyOf(ed25519.NewKeyFromSeed(b).Public().(ed25519.PublicKey))
	if err != nil {
		panic(err) // a valid Ed25519 key always converts
	}
	return k
}
