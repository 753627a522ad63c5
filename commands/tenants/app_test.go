package tenants_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// New names every dependency it lacks.
func TestNewNamesMissingDeps(t *testing.T) {
	t.Parallel()
	_, err := tenants.New(tenants.Deps{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, dep := range []string{"Store", "Keyring", "Signer", "Mail", "CodeLimit/LoginLimit/CodeFailures", "Passwords", "Regions"} {
		if !strings.Contains(err.Error(), dep) {
			t.Errorf("%v does not name %s", err, dep)
		}
	}
}
