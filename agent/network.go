package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Network is a network as the tenants service answers it (NetworkView).
type Network struct {
	ID                NetworkID `json:"id"`
	TenantID          TenantID  `json:"tenant_id"`
	Slug              Slug      `json:"slug"`
	DisplayName       *string   `json:"display_name"`
	Region            string    `json:"region"`
	ProvisioningState string    `json:"provisioning_state"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Availability asks whether slug can be registered
// (GET /v1/availability?slug=…). The slug is checked locally first
// (ErrInvalidSlug, nothing sent); reserved and taken slugs are unavailable.
func (c *Client) Availability(ctx context.Context, slug string) (bool, error) {
	s, err := ParseSlug(slug)
	if err != nil {
		return false, fmt.Errorf("availability: %w", err)
	}
	tok, key, err := c.credentials(ctx)
	if err != nil {
		return false, fmt.Errorf("availability of %s: %w", s, err)
	}
	// Pre-encoded, so that what is signed is what is sent.
	target := "/v1/availability?" + url.Values{"slug": {string(s)}}.Encode()
	var resp struct {
		Available *bool `json:"available"`
	}
	if err := c.send(ctx, http.MethodGet, target, nil, creds{token: tok, key: key}, &resp); err != nil {
		return false, fmt.Errorf("availability of %s: %w", s, err)
	}
	if resp.Available == nil {
		return false, fmt.Errorf("availability of %s: the server answered no available", s)
	}
	return *resp.Available, nil
}

// RegisterNetwork registers a network named slug in region and binds the
// daemon to it (POST /v1/networks). displayName may be empty. The network's
// id, slug and region — the region of the answer — are saved, and the token
// forgotten so that the next one is network-scoped. When the save fails the
// network is registered all the same: the Network is returned with the
// error, and the Client keeps using it.
func (c *Client) RegisterNetwork(ctx context.Context, slug, displayName, region string) (Network, error) {
	s, err := ParseSlug(slug)
	if err != nil {
		return Network{}, fmt.Errorf("register network: %w", err)
	}
	region = strings.TrimSpace(region)
	if region == "" {
		return Network{}, fmt.Errorf("register network %s: no region", s)
	}
	req := struct {
		Slug        Slug    `json:"slug"`
		DisplayName *string `json:"display_name,omitempty"`
		Region      string  `json:"region"`
	}{Slug: s, Region: region}
	if displayName != "" {
		req.DisplayName = &displayName
	}
	body, err := json.Marshal(req)
	if err != nil {
		return Network{}, fmt.Errorf("register network %s: encode: %w", s, err)
	}

	c.lifeMu.Lock()
	defer c.lifeMu.Unlock()
	c.mu.Lock()
	network := c.st.NetworkID
	c.mu.Unlock()
	if network != "" {
		return Network{}, fmt.Errorf("register network %s: %w (network %s)", s, ErrAlreadyRegistered, network)
	}
	tok, key, err := c.credentials(ctx)
	if err != nil {
		return Network{}, fmt.Errorf("register network %s: %w", s, err)
	}
	var n Network
	if err := c.send(ctx, http.MethodPost, "/v1/networks", body, creds{token: tok, key: key}, &n); err != nil {
		return Network{}, fmt.Errorf("register network %s: %w", s, err)
	}
	if n.ID == "" || n.Region == "" {
		return Network{}, fmt.Errorf("register network %s: the answer lacks an id or a region", s)
	}
	if _, err := ParseSlug(string(n.Slug)); err != nil {
		return Network{}, fmt.Errorf("register network %s: the answer's slug: %w", s, err)
	}

	c.mu.Lock()
	st := c.st
	st.NetworkID, st.Slug, st.Region = string(n.ID), string(n.Slug), n.Region
	st.LastIPv4, st.LastIPv6 = "", "" // a new network has reported nothing
	c.st = st
	c.forgetTokenLocked() // the next token is network-scoped
	c.mu.Unlock()
	c.log.Info("network registered", "tenant", st.TenantID, "network", st.NetworkID, "slug", st.Slug, "region", st.Region)
	if err := saveState(c.statePath, st); err != nil {
		return n, fmt.Errorf("register network %s: registered as %s, but: %w", s, n.ID, err)
	}
	return n, nil
}

// Teardown removes the daemon from its network, best-effort
// (DELETE /v1/networks/{id}/daemons/self; a failure is logged, not
// returned), then wipes the local identity: the state file, the key and the
// token. It is what a daemon does on uninstall, factory reset or
// re-enrollment, and it is idempotent.
func (c *Client) Teardown(ctx context.Context) error {
	c.lifeMu.Lock()
	defer c.lifeMu.Unlock()
	c.mu.Lock()
	network := c.st.NetworkID
	c.mu.Unlock()
	if network != "" {
		if err := c.removeSelf(ctx, network); err != nil {
			c.log.Warn("teardown: the server was not told; wiping the local identity anyway", "network", network, "err", err)
		}
	}
	if err := removeState(c.statePath); err != nil {
		return fmt.Errorf("teardown: %w", err)
	}
	c.mu.Lock()
	c.st, c.key = state{}, nil
	c.forgetTokenLocked()
	c.mu.Unlock()
	return nil
}

// removeSelf calls DELETE /v1/networks/{id}/daemons/self.
func (c *Client) removeSelf(ctx context.Context, network string) error {
	tok, key, err := c.credentials(ctx)
	if err != nil {
		return err
	}
	target := "/v1/networks/" + url.PathEscape(network) + "/daemons/self"
	if err := c.send(ctx, http.MethodDelete, target, nil, creds{token: tok, key: key}, nil); err != nil {
		return err
	}
	c.log.Info("removed from network", "network", network)
	return nil
}
