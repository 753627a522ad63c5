package tunneller_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/commands/tunneller"
)

// Commands lists every command App runs: a command added to App and not
// to the list fails here.
func TestCommandsListsEveryCommand(t *testing.T) {
	t.Parallel()
	listed, app := reflect.TypeFor[tunneller.Commands](), reflect.TypeFor[*tunneller.App]()
	notCommands := map[string]bool{"Region": true, "Ports": true}
	for m := range app.Methods() {
		if _, ok := listed.MethodByName(m.Name); !ok && !notCommands[m.Name] {
			t.Errorf("App.%s is not in Commands", m.Name)
		}
	}
}
