package code

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
)

// Issued is a new one-time code.
type Issued struct {
	Purpose naming.Purpose `json:"purpose"`
	// Email is sealed with the key of the day.
	Email      naming.Sealed     `json:"email"`
	EmailIndex naming.EmailIndex `json:"email_index"`
	// TenantID is set only for add-daemon (enrollment) codes.
	TenantID  naming.ID `json:"tenant_id,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// EventType implements events.Payload.
func (Issued) EventType() string { return "wardnet.code.issued" }

// Used burns the code.
type Used struct{}

// EventType implements events.Payload.
func (Used) EventType() string { return "wardnet.code.used" }
