package code

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
)

// Issued is a new one-time code.
type Issued struct {
	Purpose Purpose `json:"purpose"`
	// Email is sealed with the key of the day.
	Email      personal.Sealed     `json:"email"`
	EmailIndex personal.EmailIndex `json:"email_index"`
	// TenantID is set only for add-daemon (enrollment) codes.
	TenantID  ids.TenantID `json:"tenant_id,omitempty"`
	ExpiresAt time.Time    `json:"expires_at"`
}

// EventType implements events.Payload.
func (Issued) EventType() string { return "wardnet.code.issued" }

// Used burns the code.
type Used struct{}

// EventType implements events.Payload.
func (Used) EventType() string { return "wardnet.code.used" }
