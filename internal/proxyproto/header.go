package proxyproto

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"

	pp "github.com/pires/go-proxyproto"
)

var (
	// ErrMissingHeader means the connection did not open with a PROXY
	// protocol signature, or ended or timed out before a whole header.
	ErrMissingHeader = errors.New("proxyproto: no PROXY protocol header")
	// ErrInvalidHeader means a PROXY signature was followed by a header that
	// is malformed, too long, or names no TCP client (UNKNOWN, LOCAL, UDP,
	// unix sockets).
	ErrInvalidHeader = errors.New("proxyproto: invalid PROXY protocol header")
)

const (
	v1Prefix = "PROXY "
	// maxV1 is the longest v1 line the specification allows, CRLF included.
	maxV1 = 107
	// v2Fixed is the v2 signature, version/command, family and length.
	v2Fixed = 16
	// maxV2Payload bounds the addresses and TLVs of a v2 header. Proxies
	// send tens to a few hundred bytes (addresses, ALPN, authority, TLS
	// details); the format's own limit, 64 KiB, would let every connection
	// make us buffer that much before we know it is valid.
	maxV2Payload = 4096
)

// readFrame reads exactly one PROXY header's bytes from br and no more,
// waiting for the parts of a header split across segments. It recognises
// the framing only; parse checks the content.
func readFrame(br *bufio.Reader) ([]byte, error) {
	first, err := br.ReadByte()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMissingHeader, err)
	}
	switch first {
	case v1Prefix[0]:
		return readV1(br, first)
	case pp.SIGV2[0]:
		return readV2(br, first)
	default:
		return nil, ErrMissingHeader
	}
}

// readV1 reads a text line up to its LF, one byte at a time so that it never
// consumes a byte past the header, and gives up at the first byte that
// cannot belong to one.
func readV1(br *bufio.Reader, first byte) ([]byte, error) {
	line := make([]byte, 1, maxV1)
	line[0] = first
	for {
		b, err := br.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMissingHeader, err)
		}
		line = append(line, b)
		if n := len(line); n <= len(v1Prefix) && b != v1Prefix[n-1] {
			return nil, ErrMissingHeader
		}
		if b == '\n' {
			return line, nil
		}
		if len(line) == maxV1 {
			return nil, fmt.Errorf("%w: v1 line longer than %d bytes", ErrInvalidHeader, maxV1)
		}
	}
}

// readV2 reads the fixed part, checks the signature, then exactly the
// length it announces.
func readV2(br *bufio.Reader, first byte) ([]byte, error) {
	frame := make([]byte, v2Fixed)
	frame[0] = first
	if _, err := io.ReadFull(br, frame[1:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMissingHeader, err)
	}
	if !bytes.Equal(frame[:len(pp.SIGV2)], pp.SIGV2) {
		return nil, ErrMissingHeader
	}
	n := int(binary.BigEndian.Uint16(frame[14:16]))
	if n > maxV2Payload {
		return nil, fmt.Errorf("%w: v2 payload of %d bytes exceeds %d", ErrInvalidHeader, n, maxV2Payload)
	}
	frame = append(frame, make([]byte, n)...)
	if _, err := io.ReadFull(br, frame[v2Fixed:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMissingHeader, err)
	}
	return frame, nil
}

// parse decodes a framed header with go-proxyproto and accepts only a TCP
// client over IPv4 or IPv6, returning its address.
func parse(frame []byte) (netip.AddrPort, error) {
	// The buffer holds the whole frame, so the v1 parser's one-fill rule
	// (its defence against slow senders, which our timeout already gives)
	// is always met.
	r := bufio.NewReaderSize(bytes.NewReader(frame), len(frame)+16)
	h, err := pp.Read(r)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%w: %w", ErrInvalidHeader, err)
	}
	if r.Buffered() != 0 {
		return netip.AddrPort{}, fmt.Errorf("%w: %d bytes left after the header", ErrInvalidHeader, r.Buffered())
	}
	if h.Command != pp.PROXY {
		// v1 UNKNOWN is reported as LOCAL too.
		return netip.AddrPort{}, fmt.Errorf("%w: no client address (UNKNOWN or LOCAL)", ErrInvalidHeader)
	}
	if h.TransportProtocol != pp.TCPv4 && h.TransportProtocol != pp.TCPv6 {
		return netip.AddrPort{}, fmt.Errorf("%w: transport %#x is not TCP over IP", ErrInvalidHeader, byte(h.TransportProtocol))
	}
	src, ok := h.SourceAddr.(*net.TCPAddr)
	if !ok || src == nil {
		return netip.AddrPort{}, fmt.Errorf("%w: no TCP source address", ErrInvalidHeader)
	}
	ip, ok := netip.AddrFromSlice(src.IP)
	if !ok || src.Port < 0 || src.Port > 65535 {
		return netip.AddrPort{}, fmt.Errorf("%w: bad source address", ErrInvalidHeader)
	}
	return netip.AddrPortFrom(ip.Unmap(), uint16(src.Port)), nil
}
