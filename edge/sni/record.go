package sni

import (
	"errors"
	"fmt"
	"io"
	"slices"
)

// DefaultLimit is the most bytes ReadClientHello reads when given no limit:
// a ClientHello with post-quantum key shares is 1.2–2 KB, and one record
// holds at most 16 KiB.
const DefaultLimit = 16 << 10

const (
	recordHeaderLen     = 5
	maxRecordPlaintext  = 1 << 14 // RFC 8446 §5.1
	recordTypeHandshake = 0x16
	handshakeHeaderLen  = 4
	typeClientHello     = 0x01
)

// ReadClientHello reads TLS records from r until it holds one whole
// ClientHello, and parses it. It reads each record exactly as its header
// says, so it never consumes a byte after the hello's last record, and it
// refuses with ErrTooLarge before reading a byte past limit (DefaultLimit
// when limit ≤ 0). The caller bounds the time with a read deadline on the
// connection; a failed read is returned wrapped.
//
// raw is every byte read, on success and on failure alike: on success, the
// records holding the hello, to replay to the daemon unchanged.
func ReadClientHello(r io.Reader, limit int) (raw []byte, hello ClientHello, err error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	a := assembler{r: r, limit: limit}
	msg, err := a.readMessage()
	if err != nil {
		return a.raw, ClientHello{}, err
	}
	hello, err = parseClientHello(msg)
	return a.raw, hello, err
}

// assembler gathers the handshake message from the bodies of successive
// handshake records (RFC 8446 §5.1: one message may span many records).
type assembler struct {
	r     io.Reader
	limit int
	raw   []byte // every byte read: record headers and bodies
	msg   []byte // the handshake bytes gathered so far
}

// readMessage reads records until the message is complete.
func (a *assembler) readMessage() ([]byte, error) {
	for {
		body, err := a.readRecord()
		if err != nil {
			return nil, err
		}
		a.gather(body)
		done, err := a.complete()
		if err != nil || done {
			return a.msg, err
		}
	}
}

// gather appends a record body to the message. The first body is used in
// place (clipped, so that appending never writes into raw); later ones are
// copied.
func (a *assembler) gather(body []byte) {
	if a.msg == nil {
		a.msg = slices.Clip(body)
		return
	}
	a.msg = append(a.msg, body...)
}

// readRecord reads one handshake record and returns its body.
func (a *assembler) readRecord() ([]byte, error) {
	first := len(a.raw) == 0
	hdr, err := a.read(recordHeaderLen, "record header")
	if first && len(hdr) > 0 && hdr[0] != recordTypeHandshake {
		return nil, fmt.Errorf("%w: first byte 0x%02x", ErrNotTLS, hdr[0])
	}
	if err != nil {
		return nil, err
	}
	n, err := checkRecordHeader(hdr)
	if err != nil {
		return nil, fmt.Errorf("record at byte %d: %w", len(a.raw)-recordHeaderLen, err)
	}
	return a.read(n, "record body")
}

// checkRecordHeader validates a record header and returns its body length.
func checkRecordHeader(hdr []byte) (int, error) {
	if hdr[0] != recordTypeHandshake {
		// RFC 8446 §5.1: handshake messages are not interleaved with
		// other record types.
		return 0, malformed("record type %d inside the ClientHello", hdr[0])
	}
	// legacy_record_version: 0x0301 or 0x0303 in practice; SSL 3.0 to
	// TLS 1.2 (major 3, minor 0–3) is what the field has ever held.
	if hdr[1] != 3 || hdr[2] > 3 {
		return 0, malformed("record version 0x%02x%02x", hdr[1], hdr[2])
	}
	n := int(hdr[3])<<8 | int(hdr[4])
	if n == 0 {
		return 0, malformed("empty handshake record")
	}
	if n > maxRecordPlaintext {
		return 0, malformed("record length %d over 2^14", n)
	}
	return n, nil
}

// read reads exactly n more bytes into raw, refusing before the read if
// they would pass the limit. On a short read it returns what it got.
func (a *assembler) read(n int, what string) ([]byte, error) {
	start := len(a.raw)
	if start+n > a.limit {
		return nil, fmt.Errorf("%w: %s of %d bytes after %d would pass the %d-byte limit",
			ErrTooLarge, what, n, start, a.limit)
	}
	a.raw = slices.Grow(a.raw, n)[:start+n]
	got, err := io.ReadFull(a.r, a.raw[start:])
	a.raw = a.raw[:start+got]
	if err != nil {
		return a.raw[start:], readError(what, start+got, err)
	}
	return a.raw[start:], nil
}

func readError(what string, total int, err error) error {
	if total > 0 && errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // the stream ended on a record boundary
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: stream ended in the %s after %d bytes: %w", ErrTruncated, what, total, err)
	}
	return fmt.Errorf("read %s after %d bytes: %w", what, total, err)
}

// complete reports whether the message is whole, and refuses early a
// message that cannot fit in the limit or is followed by more handshake
// bytes in its last record.
func (a *assembler) complete() (bool, error) {
	if len(a.msg) < handshakeHeaderLen {
		return false, nil
	}
	if a.msg[0] != typeClientHello {
		return false, malformed("handshake type %d, want ClientHello (1)", a.msg[0])
	}
	total := handshakeHeaderLen + (int(a.msg[1])<<16 | int(a.msg[2])<<8 | int(a.msg[3]))
	switch {
	case len(a.msg) == total:
		return true, nil
	case len(a.msg) > total:
		// The client sends nothing after its hello until the server
		// answers, and a key change (0-RTT) starts a new record.
		return false, malformed("%d handshake bytes follow the %d-byte ClientHello in its record",
			len(a.msg)-total, total)
	}
	if need := wireBytes(total - len(a.msg)); len(a.raw)+need > a.limit {
		return false, fmt.Errorf("%w: a %d-byte ClientHello needs at least %d bytes after %d, past the %d-byte limit",
			ErrTooLarge, total, need, len(a.raw), a.limit)
	}
	return false, nil
}

// wireBytes is the fewest bytes that carry n handshake bytes: full records
// with their headers.
func wireBytes(n int) int {
	records := (n + maxRecordPlaintext - 1) / maxRecordPlaintext
	return n + records*recordHeaderLen
}
