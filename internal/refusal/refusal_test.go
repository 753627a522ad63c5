package refusal_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/refusal"
)

func TestKindOfWrappedRefusal(t *testing.T) {
	cause := errors.New("slug taken")
	err := fmt.Errorf("register: %w", refusal.New(refusal.Conflict, "slug already taken", cause))
	if k := refusal.KindOf(err); k != refusal.Conflict {
		t.Fatalf("KindOf = %v", k)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is not reachable through errors.Is")
	}
	if got := err.Error(); got != "register: conflict: slug already taken: slug taken" {
		t.Errorf("Error() = %q", got)
	}
	if k := refusal.KindOf(errors.New("disk full")); k != 0 {
		t.Errorf("an internal failure has kind %v", k)
	}
	if s := refusal.Kind(99).String(); s != "kind(99)" {
		t.Errorf("unknown kind: %q", s)
	}
}
