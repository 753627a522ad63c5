package forward

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
)

// The preamble's wire format, version 1. All integers are big-endian.
//
//	magic      4 bytes  "WNFW"
//	version    u8       1
//	slug_len   u8       1..MaxSlugLen, then the slug's bytes
//	net_len    u8       1..MaxNetworkIDLen, then the network id's bytes
//	dest_port  u16      not 0
//	family     u8       0 (client unknown), 4 or 6
//	addr       0, 4 or 16 bytes, as family says
//	port       u16      the client's port; absent when family is 0
//	first_len  u16      0..MaxFirstBytes, then the first bytes
//
// It extends the contract's §6.4 preamble ([slug_len:u16][slug][dest_port:u16])
// with a magic and a version, so that a node of another build refuses it
// plainly, with the network id, so that the receiving node checks it names
// the network its table knows under the slug, and with the client's address
// and the ClientHello, so that the daemon sees the same OPEN whichever node
// the client reached. The first bytes travel inside the preamble rather
// than as stream bytes after it: the receiving node must hand them to the
// daemon as a unit (the OPEN's first bytes), and only a length says where
// they end.
const (
	// Version is the preamble version this build writes and reads.
	Version = 1
	// MaxSlugLen bounds the slug (the contract's 64; a valid slug is
	// shorter, naming.ParseSlug decides).
	MaxSlugLen = 64
	// MaxNetworkIDLen bounds the network id (a UUID is 36 bytes).
	MaxNetworkIDLen = 64
	// MaxFirstBytes bounds the first bytes: the most a ClientHello takes
	// under sni.DefaultLimit.
	MaxFirstBytes = 16 << 10
	// MaxPreambleLen is the longest preamble: no read of one goes further.
	MaxPreambleLen = len(magic) + 1 + 1 + MaxSlugLen + 1 + MaxNetworkIDLen + 2 + 1 + 16 + 2 + 2 + MaxFirstBytes
)

// magic opens every preamble.
const magic = "WNFW"

// Client address families on the wire.
const (
	familyNone = 0
	family4    = 4
	family6    = 6
)

// Errors of ReadPreamble and Preamble.AppendBinary. PreambleReason names
// each for metrics.
var (
	// ErrBadMagic: the bytes do not begin with the preamble's magic
	// (a peer speaking something else).
	ErrBadMagic = errors.New("forward: not a forward preamble")
	// ErrUnsupportedVersion: a preamble of a version this build does not
	// read.
	ErrUnsupportedVersion = errors.New("forward: unsupported preamble version")
	// ErrMalformed: a field breaks the format or its bounds, or does not
	// parse (slug, network id, port); the message says which.
	ErrMalformed = errors.New("forward: malformed preamble")
	// ErrTruncated: the stream ended inside the preamble; the error also
	// wraps io.EOF (nothing read) or io.ErrUnexpectedEOF.
	ErrTruncated = errors.New("forward: preamble truncated")
)

// Preamble is what a forwarded connection says before its bytes: which
// network's tunnel it is for, on which port, from which client, and the
// ClientHello the first node read.
type Preamble struct {
	Slug      naming.Slug
	NetworkID ids.NetworkID
	DestPort  uint16
	// Client is the client's address; the zero value when unknown. A zone
	// is not carried.
	Client netip.AddrPort
	// FirstBytes is at most MaxFirstBytes long.
	FirstBytes []byte
}

// AppendBinary appends p's wire form to b. It refuses (ErrMalformed) a
// preamble that ReadPreamble would refuse.
func (p Preamble) AppendBinary(b []byte) ([]byte, error) {
	if err := p.check(); err != nil {
		return b, err
	}
	b = append(b, magic...)
	b = append(b, Version)
	b = append(b, byte(len(p.Slug)))
	b = append(b, p.Slug...)
	b = append(b, byte(len(p.NetworkID)))
	b = append(b, p.NetworkID...)
	b = binary.BigEndian.AppendUint16(b, p.DestPort)
	switch a := p.Client.Addr(); {
	case !p.Client.IsValid():
		b = append(b, familyNone)
	case a.Is4():
		b = append(b, family4)
		b = append(b, a.AsSlice()...)
		b = binary.BigEndian.AppendUint16(b, p.Client.Port())
	default:
		b = append(b, family6)
		b = append(b, a.WithZone("").AsSlice()...)
		b = binary.BigEndian.AppendUint16(b, p.Client.Port())
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(p.FirstBytes)))
	return append(b, p.FirstBytes...), nil
}

// check applies the rules ReadPreamble applies to what it reads.
func (p Preamble) check() error {
	if _, err := naming.ParseSlug(string(p.Slug)); err != nil {
		return fmt.Errorf("%w: slug: %w", ErrMalformed, err)
	}
	if _, err := ids.Parse[ids.NetworkID](string(p.NetworkID)); err != nil {
		return fmt.Errorf("%w: network id: %w", ErrMalformed, err)
	}
	if p.DestPort == 0 {
		return fmt.Errorf("%w: destination port 0", ErrMalformed)
	}
	if len(p.FirstBytes) > MaxFirstBytes {
		return fmt.Errorf("%w: %d first bytes, over %d", ErrMalformed, len(p.FirstBytes), MaxFirstBytes)
	}
	return nil
}

// ReadPreamble reads one preamble from r and nothing after it: it never
// reads more than MaxPreambleLen bytes, nor past the preamble's end, so
// that the stream's own bytes stay in r. The caller bounds the wait with a
// deadline on r.
func ReadPreamble(r io.Reader) (Preamble, error) {
	pr := preambleReader{r: r}
	var head [len(magic) + 1]byte
	if err := pr.full(head[:]); err != nil {
		return Preamble{}, err
	}
	if string(head[:len(magic)]) != magic {
		return Preamble{}, ErrBadMagic
	}
	if v := head[len(magic)]; v != Version {
		return Preamble{}, fmt.Errorf("%w: %d", ErrUnsupportedVersion, v)
	}
	var p Preamble
	slug, err := pr.lenPrefixed(MaxSlugLen, "slug")
	if err != nil {
		return Preamble{}, err
	}
	if p.Slug, err = naming.ParseSlug(string(slug)); err != nil {
		return Preamble{}, fmt.Errorf("%w: slug: %w", ErrMalformed, err)
	}
	id, err := pr.lenPrefixed(MaxNetworkIDLen, "network id")
	if err != nil {
		return Preamble{}, err
	}
	if p.NetworkID, err = ids.Parse[ids.NetworkID](string(id)); err != nil {
		return Preamble{}, fmt.Errorf("%w: network id: %w", ErrMalformed, err)
	}
	if p.DestPort, err = pr.u16(); err != nil {
		return Preamble{}, err
	}
	if p.DestPort == 0 {
		return Preamble{}, fmt.Errorf("%w: destination port 0", ErrMalformed)
	}
	if p.Client, err = pr.client(); err != nil {
		return Preamble{}, err
	}
	n, err := pr.u16()
	if err != nil {
		return Preamble{}, err
	}
	if n > MaxFirstBytes {
		return Preamble{}, fmt.Errorf("%w: %d first bytes, over %d", ErrMalformed, n, MaxFirstBytes)
	}
	p.FirstBytes = make([]byte, n)
	if err := pr.full(p.FirstBytes); err != nil {
		return Preamble{}, err
	}
	return p, nil
}

// preambleReader reads a preamble's fields, each with io.ReadFull, so
// that it never reads ahead.
type preambleReader struct {
	r    io.Reader
	read int // bytes read so far
}

// full fills b; a stream that ends first is ErrTruncated.
func (pr *preambleReader) full(b []byte) error {
	n, err := io.ReadFull(pr.r, b)
	pr.read += n
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF) && pr.read > 0:
		return fmt.Errorf("%w: %w", ErrTruncated, io.ErrUnexpectedEOF)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	default:
		return fmt.Errorf("forward: read preamble: %w", err)
	}
}

func (pr *preambleReader) u8() (byte, error) {
	var b [1]byte
	err := pr.full(b[:])
	return b[0], err
}

func (pr *preambleReader) u16() (uint16, error) {
	var b [2]byte
	err := pr.full(b[:])
	return binary.BigEndian.Uint16(b[:]), err
}

// lenPrefixed reads a u8 length of 1..max, then that many bytes.
func (pr *preambleReader) lenPrefixed(max int, what string) ([]byte, error) {
	n, err := pr.u8()
	if err != nil {
		return nil, err
	}
	if n == 0 || int(n) > max {
		return nil, fmt.Errorf("%w: %s of %d bytes (1..%d)", ErrMalformed, what, n, max)
	}
	b := make([]byte, n)
	return b, pr.full(b)
}

// client reads the family, address and port of the client.
func (pr *preambleReader) client() (netip.AddrPort, error) {
	family, err := pr.u8()
	if err != nil {
		return netip.AddrPort{}, err
	}
	var raw []byte
	switch family {
	case familyNone:
		return netip.AddrPort{}, nil
	case family4:
		raw = make([]byte, 4)
	case family6:
		raw = make([]byte, 16)
	default:
		return netip.AddrPort{}, fmt.Errorf("%w: client address family %d", ErrMalformed, family)
	}
	if err := pr.full(raw); err != nil {
		return netip.AddrPort{}, err
	}
	port, err := pr.u16()
	if err != nil {
		return netip.AddrPort{}, err
	}
	addr, _ := netip.AddrFromSlice(raw) // 4 or 16 bytes: always ok
	return netip.AddrPortFrom(addr, port), nil
}

// PreambleReason is a stable metric label for a ReadPreamble error:
// bad_magic, unsupported_version, malformed, truncated, timeout (the
// deadline passed) or read_error; "" for nil.
func PreambleReason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrBadMagic):
		return ReasonBadMagic
	case errors.Is(err, ErrUnsupportedVersion):
		return ReasonUnsupportedVersion
	case errors.Is(err, ErrMalformed):
		return ReasonMalformed
	case errors.Is(err, ErrTruncated):
		return ReasonTruncated
	case isTimeout(err):
		return ReasonTimeout
	default:
		return ReasonReadError
	}
}
