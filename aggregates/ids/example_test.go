package ids_test

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// An id read from outside (a URL path, a token's claim) is parsed into the
// kind the caller expects; from then on the compiler keeps it apart from
// the other kinds.
func ExampleParse() {
	network, err := ids.Parse[ids.NetworkID]("3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b")
	fmt.Println(network, err)

	_, err = ids.Parse[ids.TenantID]("3F2B8C1E-9D4A-4E7B-8C2D-1A5F6E7D8C9B")
	fmt.Println(err)
	// Output:
	// 3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b <nil>
	// invalid id: "3F2B8C1E-9D4A-4E7B-8C2D-1A5F6E7D8C9B"
}

// A new aggregate's id is drawn by the command that creates it.
func ExampleNew() {
	tenant := ids.New[ids.TenantID]()
	fmt.Println(len(tenant.String()), tenant.String()[14:15])
	// Output: 36 4
}
