package tokens

import (
	"errors"
	"fmt"
)

// ErrInvalidToken is wrapped by every reason a token is refused; callers
// answer all of them alike (401 "invalid token"). The finer errors below
// are for tests and logs.
var ErrInvalidToken = errors.New("invalid token")

// Reasons a token is refused. Each wraps ErrInvalidToken.
var (
	ErrMalformed  = fmt.Errorf("%w: malformed", ErrInvalidToken)
	ErrAlgorithm  = fmt.Errorf("%w: algorithm is not EdDSA", ErrInvalidToken)
	ErrUnknownKey = fmt.Errorf("%w: unknown kid", ErrInvalidToken)
	ErrSignature  = fmt.Errorf("%w: bad signature", ErrInvalidToken)
	ErrIssuer     = fmt.Errorf("%w: wrong issuer", ErrInvalidToken)
	ErrExpired    = fmt.Errorf("%w: expired", ErrInvalidToken)
	ErrAudience   = fmt.Errorf("%w: audience does not include this service", ErrInvalidToken)
	ErrClaims     = fmt.Errorf("%w: claims", ErrInvalidToken)
)

// ErrKeysUnavailable means a token names a kid the verifier does not know
// and the key set could not be fetched: the token may be good, so callers
// answer "try again" (503), not 401. It does not wrap ErrInvalidToken.
var ErrKeysUnavailable = errors.New("verifying keys unavailable")
