package sni

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

const (
	maxHostNameLen = 253
	maxLabelLen    = 63
)

// parseHostName checks that b is a DNS host name (RFC 1123 §2.1: dot
// separated labels of 1–63 letters, digits and hyphens, no label starting
// or ending with a hyphen, at most 253 bytes, no trailing dot, and not an
// IPv4 address) and returns it lowercased.
func parseHostName(b []byte) (string, error) {
	if err := checkHostName(b); err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrInvalidServerName, clip(b), err)
	}
	return strings.ToLower(string(b)), nil
}

func checkHostName(b []byte) error {
	switch {
	case len(b) == 0:
		return errors.New("empty")
	case len(b) > maxHostNameLen:
		return fmt.Errorf("%d bytes, over %d", len(b), maxHostNameLen)
	case b[len(b)-1] == '.':
		return errors.New("trailing dot (RFC 6066 §3 sends the name without it)")
	}
	for label := range bytes.SplitSeq(b, []byte(".")) {
		if err := checkLabel(label); err != nil {
			return err
		}
	}
	if top := b[bytes.LastIndexByte(b, '.')+1:]; allDigits(top) {
		// RFC 3696 §2: no top-level domain is all-numeric, so this is
		// an IP address, which RFC 6066 §3 keeps out of server_name.
		return fmt.Errorf("numeric top-level label %q", top)
	}
	return nil
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func checkLabel(l []byte) error {
	if len(l) == 0 || len(l) > maxLabelLen {
		return fmt.Errorf("label of %d bytes, want 1–%d", len(l), maxLabelLen)
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with a hyphen", l)
	}
	for i := 0; i < len(l); i++ {
		if !ldh(l[i]) {
			return fmt.Errorf("byte 0x%02x in label %q", l[i], l)
		}
	}
	return nil
}

// ldh reports whether c is a letter, digit or hyphen.
func ldh(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// clip shortens a name quoted in an error.
func clip(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
