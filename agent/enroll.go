package agent

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// RequestCode asks for an enrollment code for the account email
// (POST /v1/verification-codes, purpose "enrollment"). The server emails it
// and answers "" — or, with its development sender, answers the code itself.
func (c *Client) RequestCode(ctx context.Context, email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", errors.New("request code: no email")
	}
	body, err := json.Marshal(struct {
		Email   string `json:"email"`
		Purpose string `json:"purpose"`
	}{email, "enrollment"})
	if err != nil {
		return "", fmt.Errorf("request code: encode: %w", err)
	}
	var resp struct {
		Code *string `json:"code"`
	}
	if err := c.send(ctx, http.MethodPost, "/v1/verification-codes", body, creds{}, &resp); err != nil {
		return "", fmt.Errorf("request code: %w", err)
	}
	if resp.Code == nil {
		return "", nil
	}
	return *resp.Code, nil
}

// Enroll binds a new identity to the tenant of an enrollment code
// (POST /v1/enroll) and saves it. Every enrollment generates a fresh
// Ed25519 seed, replacing the previous identity; a daemon still registered
// to a network must tear down first (ErrAlreadyRegistered). The code is
// trimmed, as a daemon does, and otherwise sent as given.
func (c *Client) Enroll(ctx context.Context, code string) (TenantID, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return "", errors.New("enroll: no code")
	}
	c.lifeMu.Lock()
	defer c.lifeMu.Unlock()
	c.mu.Lock()
	network := c.st.NetworkID
	c.mu.Unlock()
	if network != "" {
		return "", fmt.Errorf("enroll: %w (network %s): tear down first", ErrAlreadyRegistered, network)
	}

	pub, key, err := ed25519.GenerateKey(nil) // crypto/rand
	if err != nil {
		return "", fmt.Errorf("enroll: generate key: %w", err)
	}
	body, err := json.Marshal(struct {
		Code      string `json:"code"`
		PublicKey string `json:"public_key"`
	}{code, encodeKey(pub)})
	if err != nil {
		return "", fmt.Errorf("enroll: encode: %w", err)
	}
	var resp struct {
		TenantID string `json:"tenant_id"`
	}
	if err := c.send(ctx, http.MethodPost, "/v1/enroll", body, creds{}, &resp); err != nil {
		return "", fmt.Errorf("enroll: %w", err)
	}
	if resp.TenantID == "" {
		return "", errors.New("enroll: the server answered no tenant_id")
	}

	st := state{
		Seed:      base64.StdEncoding.EncodeToString(key.Seed()),
		PublicKey: encodeKey(pub),
		TenantID:  resp.TenantID,
		Server:    c.base,
	}
	if err := saveState(c.statePath, st); err != nil {
		// The binding on the server expires unused in 15 minutes.
		return "", fmt.Errorf("enroll: %w", err)
	}
	c.mu.Lock()
	c.st, c.key = st, key
	c.forgetTokenLocked()
	c.mu.Unlock()
	c.log.Info("enrolled", "tenant", st.TenantID)
	return TenantID(st.TenantID), nil
}
