package zone_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// throttled is an adapter's error that asks for a wait.
type throttled struct{ wait time.Duration }

func (e *throttled) Error() string             { return fmt.Sprintf("throttled for %s", e.wait) }
func (e *throttled) RetryAfter() time.Duration { return e.wait }

var _ zone.RetryAfterError = (*throttled)(nil)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want time.Duration
	}{
		{"no error", nil, 0},
		{"an error that does not ask", errors.New("boom"), 0},
		{"not found", fmt.Errorf("update record x: %w", zone.ErrNotFound), 0},
		{"asked", &throttled{7 * time.Second}, 7 * time.Second},
		{"asked, wrapped", fmt.Errorf("list: giving up: %w", &throttled{time.Minute}), time.Minute},
		{"asked, joined", errors.Join(errors.New("other"), fmt.Errorf("delete: %w", &throttled{3 * time.Second})), 3 * time.Second},
	} {
		if got := zone.RetryAfter(tc.err); got != tc.want {
			t.Errorf("%s: RetryAfter = %s, want %s", tc.name, got, tc.want)
		}
	}
}
