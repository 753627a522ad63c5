package forward_test

import (
	"errors"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/forward"
)

func TestParseID(t *testing.T) {
	t.Parallel()
	const uri = "spiffe://wardnet.test/dev/use1/tunneller"
	id, err := forward.ParseID(uri)
	if err != nil {
		t.Fatal(err)
	}
	want := forward.ID{TrustDomain: "wardnet.test", Env: "dev", Scope: "use1", Service: "tunneller"}
	if id != want || id.String() != uri || id != tunneller {
		t.Fatalf("ParseID = %+v (%s), want %+v", id, id, want)
	}
	for _, s := range []string{
		"",
		"https://wardnet.test/dev/use1/tunneller",
		"spiffe://wardnet.test/use1/tunneller",
		"spiffe://wardnet.test/dev/use1/tunneller/extra",
		"spiffe://wardnet.test/dev//tunneller",
		"spiffe://wardnet.test/dev/use1/",
		"spiffe:///dev/use1/tunneller",
		"spiffe://Wardnet.test/dev/use1/tunneller",
		"spiffe://wardnet.test:8443/dev/use1/tunneller",
		"spiffe://user@wardnet.test/dev/use1/tunneller",
		"spiffe://wardnet.test/dev/use1/tunneller?x=1",
		"spiffe://wardnet.test/dev/use1/tunneller#f",
		"spiffe://wardnet.test/dev/../tunneller",
		"spiffe://wardnet.test/dev/use%31/tunneller",
	} {
		if id, err := forward.ParseID(s); !errors.Is(err, forward.ErrInvalidID) {
			t.Errorf("ParseID(%q) = %+v, %v; want ErrInvalidID", s, id, err)
		}
	}
}
