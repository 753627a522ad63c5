package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/dns"
	"github.com/cloudflare/cloudflare-go/v7/option"

	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// DefaultBaseURL is Cloudflare's API.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4/"

// Config configures a Client. ZoneID and Token are required.
type Config struct {
	ZoneID string
	// Token is the API token itself (read from its file by the caller).
	Token string
	// BaseURL defaults to DefaultBaseURL; tests point it at cftest.
	BaseURL string
	// HTTPClient defaults to a client with a 10 s connect timeout.
	HTTPClient *http.Client
	// RequestTimeout bounds one attempt; default 30 s.
	RequestTimeout time.Duration
	// PerPage is the page size of List; default 100.
	PerPage int
	// Retry defaults to DefaultRetry.
	Retry RetryPolicy
	// Budget is shared by every Client of the process using the same
	// token; nil makes a private one of DefaultBudget.
	Budget *Budget
	// Clock defaults to the system clock.
	Clock Clock
	// Rand returns numbers in [0, 1) for jitter; defaults to math/rand/v2.
	Rand func() float64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Client manages the DNS records of one zone. Safe for concurrent use.
// It is the zone.Zone of the DNS projector's Reconciler.
type Client struct {
	zoneID  string
	records *dns.RecordService
	perPage int
	retry   RetryPolicy
	budget  *Budget
	clock   Clock
	rand    func() float64
	log     *slog.Logger
}

var _ zone.Zone = (*Client)(nil)

// New returns a client for cfg.ZoneID.
func New(cfg Config) (*Client, error) {
	if cfg.ZoneID == "" || strings.ContainsAny(cfg.ZoneID, "/?#") {
		return nil, fmt.Errorf("cloudflare client: zone id %q is not an id", cfg.ZoneID)
	}
	if cfg.Token == "" {
		return nil, errors.New("cloudflare client: empty API token")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("cloudflare client: base URL %q is not an http(s) URL", base)
	}
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = DefaultRetry
	}
	if err := cfg.Retry.Validate(); err != nil {
		return nil, fmt.Errorf("cloudflare client: %w", err)
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Budget == nil {
		b, err := NewBudget(DefaultBudget, cfg.Clock)
		if err != nil {
			return nil, fmt.Errorf("cloudflare client: %w", err)
		}
		cfg.Budget = b
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultHTTPClient()
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.PerPage <= 0 {
		cfg.PerPage = 100
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// dns.NewRecordService rather than cloudflare.NewClient: the latter
	// reads CLOUDFLARE_* variables from the environment (which could add
	// other credentials) and builds every Cloudflare product's service.
	records := dns.NewRecordService(
		option.WithHTTPClient(cfg.HTTPClient),
		option.WithBaseURL(base),
		option.WithAPIToken(cfg.Token),
		option.WithMaxRetries(0), // retries are ours: budgeted, ctx-aware, Retry-After aware
		option.WithRequestTimeout(cfg.RequestTimeout),
	)
	return &Client{
		zoneID: cfg.ZoneID, records: records, perPage: cfg.PerPage, retry: cfg.Retry,
		budget: cfg.Budget, clock: cfg.Clock, rand: cfg.Rand, log: cfg.Logger.With(slog.String("zone", cfg.ZoneID)),
	}, nil
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{Transport: t}
}

// List returns every record named name (exact, case-insensitive) of type
// typ, following all pages. An empty name or type does not filter.
func (c *Client) List(ctx context.Context, name string, typ zone.RecordType) ([]zone.Record, error) {
	var out []zone.Record
	for page := 1; ; page++ {
		params := dns.RecordListParams{}
		params.ZoneID.Value, params.ZoneID.Present = c.zoneID, true
		if name != "" {
			params.Name.Value.Exact.Value, params.Name.Value.Exact.Present = name, true
			params.Name.Present = true
		}
		if typ != "" {
			params.Type.Value, params.Type.Present = dns.RecordListParamsType(typ), true
		}
		params.Page.Value, params.Page.Present = float64(page), true
		params.PerPage.Value, params.PerPage.Present = float64(c.perPage), true

		var res *dnsPage
		err := c.do(ctx, "list", func(ctx context.Context, raw **http.Response) error {
			r, err := c.records.List(ctx, params, option.WithResponseInto(raw))
			res = r
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list %s %s page %d: %w", typ, name, page, err)
		}
		for _, r := range res.Result {
			out = append(out, fromResponse(r))
		}
		if lastPage(res, page, c.perPage) {
			return out, nil
		}
	}
}

// lastPage decides from result_info.total_pages when Cloudflare sends it,
// else from a short page.
func lastPage(res *dnsPage, page, perPage int) bool {
	if tp := res.ResultInfo.JSON.ExtraFields["total_pages"].Raw(); tp != "" {
		if n, err := strconv.Atoi(tp); err == nil {
			return page >= n
		}
	}
	return len(res.Result) < perPage
}

// Get returns one record by id; zone.ErrNotFound if it does not exist.
func (c *Client) Get(ctx context.Context, id string) (zone.Record, error) {
	params := dns.RecordGetParams{}
	params.ZoneID.Value, params.ZoneID.Present = c.zoneID, true
	var res *dns.RecordResponse
	err := c.do(ctx, "get", func(ctx context.Context, raw **http.Response) error {
		r, err := c.records.Get(ctx, id, params, option.WithResponseInto(raw))
		res = r
		return err
	})
	if err != nil {
		return zone.Record{}, fmt.Errorf("get record %s: %w", id, err)
	}
	return fromResponse(*res), nil
}

// Create adds a record; ErrDuplicate if an identical one exists.
func (c *Client) Create(ctx context.Context, spec zone.RecordSpec) (zone.Record, error) {
	body, err := bodyFor(spec)
	if err != nil {
		return zone.Record{}, fmt.Errorf("create record %s: %w", spec.Name, err)
	}
	params := dns.RecordNewParams{Body: body.(dns.RecordNewParamsBodyUnion)}
	params.ZoneID.Value, params.ZoneID.Present = c.zoneID, true
	var res *dns.RecordResponse
	err = c.do(ctx, "create", func(ctx context.Context, raw **http.Response) error {
		r, err := c.records.New(ctx, params, option.WithResponseInto(raw))
		res = r
		return err
	})
	if err != nil {
		return zone.Record{}, fmt.Errorf("create %s record %s: %w", spec.Type, spec.Name, err)
	}
	return fromResponse(*res), nil
}

// Update overwrites record id in place (PUT) with spec; zone.ErrNotFound if
// it does not exist.
func (c *Client) Update(ctx context.Context, id string, spec zone.RecordSpec) (zone.Record, error) {
	body, err := bodyFor(spec)
	if err != nil {
		return zone.Record{}, fmt.Errorf("update record %s: %w", id, err)
	}
	params := dns.RecordUpdateParams{Body: body.(dns.RecordUpdateParamsBodyUnion)}
	params.ZoneID.Value, params.ZoneID.Present = c.zoneID, true
	var res *dns.RecordResponse
	err = c.do(ctx, "update", func(ctx context.Context, raw **http.Response) error {
		r, err := c.records.Update(ctx, id, params, option.WithResponseInto(raw))
		res = r
		return err
	})
	if err != nil {
		return zone.Record{}, fmt.Errorf("update record %s: %w", id, err)
	}
	return fromResponse(*res), nil
}

// Delete removes record id; zone.ErrNotFound if it does not exist (callers
// reconciling toward "absent" usually treat that as success).
func (c *Client) Delete(ctx context.Context, id string) error {
	params := dns.RecordDeleteParams{}
	params.ZoneID.Value, params.ZoneID.Present = c.zoneID, true
	err := c.do(ctx, "delete", func(ctx context.Context, raw **http.Response) error {
		_, err := c.records.Delete(ctx, id, params, option.WithResponseInto(raw))
		return err
	})
	if err != nil {
		return fmt.Errorf("delete record %s: %w", id, err)
	}
	return nil
}
