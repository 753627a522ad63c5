package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
)

// Defaults of ResendOptions.
const (
	DefaultResendBaseURL = "https://api.resend.com"
	DefaultFrom          = "wardnet <noreply@wardnet.io>"
	// ConnectTimeout and RequestTimeout bound a call to Resend (contract §3.5).
	ConnectTimeout = 10 * time.Second
	RequestTimeout = 30 * time.Second
)

// maxResponse bounds how much of Resend's answer is read.
const maxResponse = 64 << 10

// ResendOptions configure a Resend sender (and New).
type ResendOptions struct {
	// APIKey is the Resend API key, read by the caller from its secret file.
	APIKey string
	// BaseURL of the API; default DefaultResendBaseURL. Tests point it at
	// a mailtest.Server.
	BaseURL string
	// From is the sender; default DefaultFrom (EMAIL_FROM).
	From string
	// LogoURL, if set, is shown at the top of the HTML body (EMAIL_LOGO_URL).
	LogoURL string
	// HTTPClient sends the requests; default a client with the contract's
	// timeouts. Its Timeout, if any, bounds each call.
	HTTPClient *http.Client
	// Logger receives "code mail sent" records; default slog.Default().
	Logger *slog.Logger
}

// Resend delivers codes through Resend's email API.
type Resend struct {
	endpoint string
	apiKey   string
	from     string
	logoURL  string
	client   *http.Client
	log      *slog.Logger
}

// NewResend checks opts and returns a Resend sender.
func NewResend(opts ResendOptions) (*Resend, error) {
	if opts.APIKey == "" {
		return nil, fmt.Errorf("mail: resend: no API key")
	}
	if strings.ContainsAny(opts.APIKey, " \t\r\n") {
		return nil, fmt.Errorf("mail: resend: API key contains white space")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultResendBaseURL
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("mail: resend: base URL %q is not an http(s) URL", opts.BaseURL)
	}
	if opts.From == "" {
		opts.From = DefaultFrom
	}
	if opts.LogoURL != "" {
		u, err := url.Parse(opts.LogoURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("mail: resend: logo URL %q is not an http(s) URL", opts.LogoURL)
		}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = defaultClient()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Resend{
		endpoint: strings.TrimRight(base.String(), "/") + "/emails",
		apiKey:   opts.APIKey,
		from:     opts.From,
		logoURL:  opts.LogoURL,
		client:   opts.HTTPClient,
		log:      opts.Logger,
	}, nil
}

// defaultClient has the contract's timeouts: 10 s to connect (and for the
// TLS handshake), 30 s for the whole request.
func defaultClient() *http.Client {
	return &http.Client{
		Timeout: RequestTimeout,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: ConnectTimeout,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        10,
			IdleConnTimeout:     90 * time.Second,
		},
		// Resend answers directly; a redirect would carry the key elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SendCode sends the Code of the domain's code c (Sender).
func (r *Resend) SendCode(ctx context.Context, to personal.Email, c code.Code, purpose code.Purpose) error {
	return r.Send(ctx, codeMessage(to, c, purpose))
}

// Echoes is false: codes reach their owner only by mail.
func (r *Resend) Echoes() bool { return false }

// resendEmail is the body of POST /emails.
type resendEmail struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	HTML    string   `json:"html"`
	Text    string   `json:"text"`
}

// Send posts the mail for msg to Resend. A refusal by Resend is a
// *ResendError; errors never contain the API key or the code.
func (r *Resend) Send(ctx context.Context, msg Code) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	m, err := render(msg, r.logoURL)
	if err != nil {
		return err
	}
	body, err := json.Marshal(resendEmail{From: r.from, To: []string{msg.To}, Subject: m.Subject, HTML: m.HTML, Text: m.Text})
	if err != nil {
		return fmt.Errorf("send %s code to %s: %w", msg.Purpose, Mask(msg.To), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("send %s code to %s: %w", msg.Purpose, Mask(msg.To), err)
	}
	req.Header.Set("Authorization", "Bearer "+r.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "wardnet-cloud")

	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("send %s code to %s: %s", msg.Purpose, Mask(msg.To), r.redact(err.Error()))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("send %s code to %s: read answer: %s", msg.Purpose, Mask(msg.To), r.redact(err.Error()))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("send %s code to %s: %w", msg.Purpose, Mask(msg.To), r.refusal(resp, raw))
	}
	var ok struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &ok) // the id is only logged
	r.log.InfoContext(ctx, "code mail sent",
		"purpose", string(msg.Purpose), "to", Mask(msg.To), "resend_id", r.redact(truncate(ok.ID, 64)))
	return nil
}

// ResendError is Resend refusing a mail: its HTTP status and the name and
// message of its error body {"statusCode", "message", "name"}.
type ResendError struct {
	Status  int
	Name    string // e.g. "validation_error", "rate_limit_exceeded"
	Message string
	// RetryAfter is Resend's Retry-After, if it sent one (429).
	RetryAfter time.Duration
}

func (e *ResendError) Error() string {
	name := e.Name
	if name == "" {
		name = http.StatusText(e.Status)
	}
	return fmt.Sprintf("resend: %d %s: %s", e.Status, name, e.Message)
}

// Temporary reports whether trying again later may succeed (429, 5xx).
func (e *ResendError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func (r *Resend) refusal(resp *http.Response, raw []byte) *ResendError {
	e := &ResendError{Status: resp.StatusCode}
	var body struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
		Name       string `json:"name"`
	}
	if json.Unmarshal(raw, &body) == nil {
		e.Name, e.Message = body.Name, body.Message
	}
	if e.Message == "" {
		e.Message = "no error message"
	}
	e.Name = r.redact(truncate(e.Name, 64))
	e.Message = r.redact(truncate(e.Message, 512))
	if s := resp.Header.Get("Retry-After"); s != "" {
		var secs int
		if _, err := fmt.Sscanf(s, "%d", &secs); err == nil && secs >= 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return e
}

// redact removes the API key from text that came from elsewhere, in case a
// server or proxy echoes it.
func (r *Resend) redact(s string) string {
	return strings.ReplaceAll(s, r.apiKey, "[redacted]")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
