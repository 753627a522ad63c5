package ddns_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/commands/ddns"
)

// Commands lists every command App runs: a command added to App and not to
// the list fails here.
func TestCommandsListsEveryCommand(t *testing.T) {
	t.Parallel()
	listed, app := reflect.TypeFor[ddns.Commands](), reflect.TypeFor[*ddns.App]()
	for m := range app.Methods() {
		if _, ok := listed.MethodByName(m.Name); !ok {
			t.Errorf("App.%s is not in Commands", m.Name)
		}
	}
}
