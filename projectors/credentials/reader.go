package credentials

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// ErrNotFound: no credential that is not revoked has the username.
var ErrNotFound = errors.New("credentials: not found")

// ErrBehind: the projection did not reach the sequence asked for within
// the SyncTo bound.
var ErrBehind = projectors.ErrBehind

// DefaultSyncTimeout bounds how long a SyncTo, or a LookupCurrent that did
// not find its username, waits for the projection.
const DefaultSyncTimeout = 3 * time.Second

// Credential is an update credential that is not revoked, with its
// network. SecretHash is an argon2id PHC string (internal/passwords).
type Credential struct {
	ID         ids.CredentialID
	Kind       network.CredentialKind
	Username   string
	SecretHash string

	NetworkID    ids.NetworkID
	TenantID     ids.TenantID
	Slug         naming.Slug
	Region       naming.Region
	NetworkState network.Status
}

// Reader queries the live tables of the projection. It is safe for
// concurrent use.
type Reader struct {
	pool    *pgxpool.Pool
	store   *events.Store
	timeout time.Duration
}

// NewReader reads the projection in pool; store, which may be nil, is the
// log SyncNetwork and LookupCurrent read.
func NewReader(pool *pgxpool.Pool, store *events.Store) *Reader {
	return &Reader{pool: pool, store: store, timeout: DefaultSyncTimeout}
}

func table(name string) string { return pgx.Identifier{projectors.SchemaName(Name), name}.Sanitize() }

// Lookup returns the credential with username that is not revoked, with
// its network, in whatever provisioning state. Usernames are drawn at
// random and unique among a network's live credentials; should two
// networks' ever meet, the newest wins.
func (r *Reader) Lookup(ctx context.Context, username string) (Credential, error) {
	var (
		c                               Credential
		id, netID, tenant, slug, region string
		kind, state                     string
	)
	err := r.pool.QueryRow(ctx, `
		SELECT c.id, c.kind, c.username, c.secret_hash, n.id, n.tenant_id, n.slug, n.region, n.state
		FROM `+table("credentials")+` c JOIN `+table("networks")+` n ON n.id = c.network_id
		WHERE c.username = $1 AND NOT c.revoked
		ORDER BY c.issued_seq DESC LIMIT 1`, username).
		Scan(&id, &kind, &c.Username, &c.SecretHash, &netID, &tenant, &slug, &region, &state)
	if errors.Is(err, pgx.ErrNoRows) {
		return Credential{}, ErrNotFound
	}
	if err != nil {
		return Credential{}, fmt.Errorf("credentials lookup: %w", err)
	}
	c.ID, c.Kind, c.NetworkID, c.TenantID = ids.CredentialID(id), network.CredentialKind(kind), ids.NetworkID(netID), ids.TenantID(tenant)
	c.Slug, c.Region, c.NetworkState = naming.Slug(slug), naming.Region(region), network.Status(state)
	return c, nil
}

// LookupCurrent is Lookup for a client that may hold a credential issued a
// moment ago, which the projection (trailing the log) may not have yet: it
// sees every credential issued before it was called. When Lookup does not
// find the username, it waits until the projection has applied every
// network event the log holds (the newest one, found with one
// get-last-message request: the projection's checkpoint moves only on
// network events, so the log's last sequence is no bound), for at most the
// reader's timeout, and looks again. A projection already at that event
// costs no wait at all, so a username that does not exist costs two
// lookups, one request to the log and one read of the checkpoint.
//
// A projection whose projector has not run yet (no tables) is behind like
// any other. It returns ErrNotFound when the projection had every network
// event and still no credential has the username, and ErrBehind when it has none and
// the projection did not get there in time: the answer is unknown.
func (r *Reader) LookupCurrent(ctx context.Context, username string) (Credential, error) {
	c, err := r.Lookup(ctx, username)
	if !errors.Is(err, ErrNotFound) && !projectors.NotSetUp(err) {
		return c, err
	}
	synced := r.syncToEnd(ctx)
	c, err = r.Lookup(ctx, username)
	switch {
	case err == nil:
		return c, nil
	case synced != nil && (errors.Is(err, ErrNotFound) || projectors.NotSetUp(err)):
		return Credential{}, fmt.Errorf("credentials lookup: %w", synced)
	}
	return Credential{}, err
}

// syncToEnd waits, for at most the reader's timeout, until the projection
// has applied the newest network event of the log.
func (r *Reader) syncToEnd(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	end, err := r.end(ctx)
	if err != nil {
		return err
	}
	return projectors.WaitFor(ctx, r.pool, Name, end)
}

// end is the sequence of the newest event the projection reads, 0 when the
// log holds none.
func (r *Reader) end(ctx context.Context) (events.StreamSeq, error) {
	if r.store == nil {
		return 0, errors.New("the credentials reader has no log")
	}
	return r.store.LastOfType(ctx, network.Type)
}

// SyncNetwork waits until the projection has applied every event of
// network id that the log held when it was called (the projection reads
// network aggregates only, so the log's last sequence is no bound), for at
// most the reader's timeout (ErrBehind).
func (r *Reader) SyncNetwork(ctx context.Context, id ids.NetworkID) error {
	if r.store == nil {
		return errors.New("credentials sync: the reader has no log")
	}
	ref, err := events.NewRef(network.Type, id.String())
	if err != nil {
		return fmt.Errorf("credentials sync: %w", err)
	}
	last, err := r.store.Version(ctx, ref)
	if err != nil {
		return fmt.Errorf("credentials sync: %w", err)
	}
	return r.SyncTo(ctx, last)
}

// SyncTo waits until the projection has applied the event at seq, which
// must be one it reads.
func (r *Reader) SyncTo(ctx context.Context, seq events.StreamSeq) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := projectors.WaitFor(ctx, r.pool, Name, seq); err != nil {
		return fmt.Errorf("credentials sync: %w", err)
	}
	return nil
}
