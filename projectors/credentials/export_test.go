package credentials

import (
	"context"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
)

// End is end, for the tests.
func (r *Reader) End(ctx context.Context) (events.StreamSeq, error) { return r.end(ctx) }

// SetTimeout replaces the reader's bound on its waits.
func (r *Reader) SetTimeout(d time.Duration) { r.timeout = d }
