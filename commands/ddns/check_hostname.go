package ddns

import (
	"fmt"
	"strings"
)

// maxName is the longest DNS name, in its text form without a final dot.
const maxName = 253

// CheckHostname is a name a stock client asks to update (a dyndns2
// hostname entry).
type CheckHostname struct {
	Client Client
	// Hostname is the name as sent: any case, with or without a final dot.
	Hostname string
}

// CheckHostname checks that c.Hostname is the client's network's name,
// <slug>.<zone>: ErrNotFQDN when it is not a well-formed name of at least
// one label under the zone, ErrNoHost when it is one but another. It
// decides nothing about who holds other names.
func (a *App) CheckHostname(c CheckHostname) error {
	h := strings.ToLower(strings.TrimSuffix(c.Hostname, "."))
	if !wellFormedName(h) || !strings.HasSuffix(h, "."+a.d.Zone) {
		return fmt.Errorf("hostname of %d bytes: %w", len(c.Hostname), ErrNotFQDN)
	}
	if h != c.Client.Slug.String()+"."+a.d.Zone {
		return ErrNoHost
	}
	return nil
}

// wellFormedName accepts a lower-case host name: 1 to 63 letters, digits
// and hyphens per label, not at either end of one, 253 bytes in all.
func wellFormedName(h string) bool {
	if h == "" || len(h) > maxName {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}
