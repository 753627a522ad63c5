package datakeys

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxKeyIDLen bounds key ids, in bytes.
const maxKeyIDLen = 200

// dayLayout is the date format of day key ids.
const dayLayout = "2006-01-02"

// dayPrefix starts every day key id.
const dayPrefix = "day:"

// TenantKey is the id of the data key of a tenant's personal data.
func TenantKey(tenantID string) string { return "tenant:" + tenantID }

// DayKey is the id of the key of the day t falls on, in UTC, e.g.
// "day:2026-05-01". Data sealed with it is shredded by the janitor
// DayKeyRetention after that day.
func DayKey(t time.Time) string { return dayPrefix + t.UTC().Format(dayLayout) }

// checkKeyID accepts printable UTF-8 ids of 1 to maxKeyIDLen bytes.
func checkKeyID(id string) error {
	if id == "" || len(id) > maxKeyIDLen || !utf8.ValidString(id) {
		return fmt.Errorf("%w: %q", ErrInvalidKeyID, truncate(id))
	}
	for _, r := range id {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%w: %q", ErrInvalidKeyID, truncate(id))
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
