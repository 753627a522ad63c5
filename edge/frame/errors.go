package frame

import "errors"

// What a decoder reports besides a frame. Callers branch with errors.Is;
// the wrapped message says which frame and why, for logs.
var (
	// ErrIgnored is a message the protocol tells the receiver to skip: in
	// v1 a message shorter than the header or of an unknown type (contract
	// §6.3), in v2 an extension type (0x80 and above) the receiver does
	// not know. The session drops it and keeps going.
	ErrIgnored = errors.New("ignored tunnel frame")

	// ErrMalformed is a message that breaks the protocol: truncated,
	// oversized, with trailing bytes, a field out of range, or (v2) a
	// mandatory type the receiver does not know. The session closes the
	// tunnel with CloseProtocolError.
	ErrMalformed = errors.New("malformed tunnel frame")

	// ErrInvalid is a frame a caller asked to encode that the protocol
	// cannot carry (a field its type does not have, a payload over the
	// limit, stream 0 on a stream frame): a bug in the caller, never
	// something a peer sent.
	ErrInvalid = errors.New("invalid tunnel frame")
)
