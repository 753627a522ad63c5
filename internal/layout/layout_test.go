package layout_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strings"
	"testing"
)

// module is the module path; the rules speak of paths below it.
const module = "github.com/wardnet/wardnet-cloud"

// pkg is what `go list` says of one package of the module.
type pkg struct {
	ImportPath string
	Name       string
	Doc        string
	Imports    []string
}

// rel is p's path below the module ("aggregates/network"), or "" for a
// package outside it (the standard library and dependencies).
func rel(p string) string {
	if p == module {
		return "."
	}
	if r, ok := strings.CutPrefix(p, module+"/"); ok {
		return r
	}
	return ""
}

// packages lists every package of the module with its imports (not its
// tests').
func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Name,Doc,Imports", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages; is the test running inside the module?", len(pkgs))
	}
	return pkgs
}

// under reports whether the relative path p is dir or below it.
func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// stdlib reports whether an import path is the standard library's.
func stdlib(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// domain reports whether p (relative) is a domain package: below
// aggregates/, but not the aggregate runtime nor its test kit.
func domain(p string) bool {
	return under(p, "aggregates") && p != "aggregates" && !under(p, "aggregates/aggregatetest")
}

// adapter is the adapter a relative path belongs to
// ("gateways/outbound/cloudflare"), or "".
func adapter(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) >= 3 && parts[0] == "gateways" && (parts[1] == "inbound" || parts[1] == "outbound") {
		return path.Join(parts[:3]...)
	}
	return ""
}

// rule is one import rule: why returns a non-empty reason when importer
// (a relative path) may not import imported (a full import path).
type rule struct {
	name string
	why  func(importer, imported string) string
}

var rules = []rule{
	{"domain packages import only the standard library, events and the domain", func(from, to string) string {
		r := rel(to)
		if !domain(from) || stdlib(to) || r == "events" || domain(r) {
			return ""
		}
		return "a domain package imports only the standard library, events and other domain packages (aggregates/…)"
	}},
	{"the application layer imports no adapter and no wiring", func(from, to string) string {
		r := rel(to)
		if !under(from, "commands") || (!under(r, "gateways") && !under(r, "services")) {
			return ""
		}
		return "the application layer (commands/) declares the ports it needs as interfaces; adapters (gateways/) and the wiring (services/) depend on it, not the other way"
	}},
	{"adapters do not import each other", func(from, to string) string {
		a, b := adapter(from), adapter(rel(to))
		if a == "" || !under(rel(to), "gateways") || a == b {
			return ""
		}
		return "an adapter (gateways/inbound/X, gateways/outbound/X) imports no other adapter: what they share belongs to the application or to internal/"
	}},
	{"projections import no adapter", func(from, to string) string {
		if !under(from, "projectors") || !under(rel(to), "gateways") {
			return ""
		}
		return "a projection reaches the outside world through an interface it declares, implemented by an outbound adapter"
	}},
	{"the edge imports no adapter", func(from, to string) string {
		if !under(from, "edge") || !under(rel(to), "gateways") {
			return ""
		}
		return "the tunnel data plane (edge/) imports no adapter"
	}},
	{"shared concerns import nothing of the domain, the application, the adapters or the wiring", func(from, to string) string {
		r := rel(to)
		if !under(from, "internal") || r == "" || under(r, "internal") || r == "events" || r == "schema" {
			return ""
		}
		return "internal/ holds concerns every layer shares; it imports only events and schema of the module"
	}},
	{"nothing imports a binary", func(from, to string) string {
		if !under(rel(to), "cmd") {
			return ""
		}
		return "cmd/ holds binaries: nothing imports them"
	}},
	{"only binaries import the wiring", func(from, to string) string {
		if !under(rel(to), "services") || under(from, "cmd") || under(from, "services") {
			return ""
		}
		return "services/ assembles each service for the binaries (cmd/); tests that need a whole service use it from test files"
	}},
}

// violations lists, for every package, the imports a rule forbids.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		from := rel(p.ImportPath)
		for _, to := range p.Imports {
			for _, r := range rules {
				if why := r.why(from, to); why != "" {
					out = append(out, fmt.Sprintf("%s imports %s: %s", from, strings.TrimPrefix(to, module+"/"), why))
				}
			}
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	t.Parallel()
	for _, v := range violations(packages(t)) {
		t.Error(v)
	}
}

// The rules catch what they are for: each of these imports breaks one.
func TestImportRulesCatchViolations(t *testing.T) {
	t.Parallel()
	m := func(p string) string { return module + "/" + p }
	for _, tc := range []struct{ from, to string }{
		{"aggregates/network", "github.com/jackc/pgx/v5"},
		{"aggregates/network", m("aggregates")},
		{"aggregates/network", m("projectors/tenancy")},
		{"commands/tenants", m("gateways/outbound/mail")},
		{"commands/ddns", m("services/ddns")},
		{"gateways/inbound/tenantsapi", m("gateways/outbound/mail")},
		{"gateways/outbound/cloudflare", m("gateways/inbound/ddnsapi/x")},
		{"projectors/dns", m("gateways/outbound/cloudflare")},
		{"edge/sni", m("gateways/inbound/tenantsapi")},
		{"internal/authn", m("aggregates/ids")},
		{"internal/host", m("commands/tenants")},
		{"services/tenants", m("cmd/wardnet-dev")},
		{"gateways/inbound/tenantsapi", m("services/tenants")},
	} {
		if v := violations([]pkg{{ImportPath: m(tc.from), Imports: []string{tc.to}}}); len(v) == 0 {
			t.Errorf("%s importing %s breaks no rule", tc.from, tc.to)
		}
	}
	for _, tc := range []struct{ from, to string }{
		{"aggregates/network", m("events")},
		{"aggregates/network", m("aggregates/ids")},
		{"aggregates/network", "crypto/sha256"},
		{"commands/tenants", m("aggregates")},
		{"gateways/outbound/cloudflare/cftest", m("gateways/outbound/cloudflare")},
		{"cmd/wardnet-dev", m("services/tenants")},
		{"services/ddns", m("services/tenants")},
		{"internal/host", m("events")},
	} {
		if v := violations([]pkg{{ImportPath: m(tc.from), Imports: []string{tc.to}}}); len(v) != 0 {
			t.Errorf("%s importing %s is allowed, but: %v", tc.from, tc.to, v)
		}
	}
}

// Every package says what it owns, in a doc comment that begins with its
// name.
func TestEveryPackageIsDocumented(t *testing.T) {
	t.Parallel()
	for _, p := range packages(t) {
		if why := undocumented(p); why != "" {
			t.Errorf("%s: %s", rel(p.ImportPath), why)
		}
	}
}

func undocumented(p pkg) string {
	want := "Package " + p.Name + " "
	if p.Name == "main" {
		want = "Command " + path.Base(p.ImportPath) + " "
	}
	switch {
	case p.Doc == "":
		return "no package doc comment: say what the package owns and what it does not (a doc.go)"
	case !strings.HasPrefix(p.Doc+" ", want):
		return fmt.Sprintf("the doc comment begins %q, want %q", p.Doc, strings.TrimSpace(want)+" …")
	}
	return ""
}

func TestDocRuleCatchesViolations(t *testing.T) {
	t.Parallel()
	for _, p := range []pkg{
		{ImportPath: module + "/x", Name: "x"},
		{ImportPath: module + "/x", Name: "x", Doc: "Handles things."},
		{ImportPath: module + "/cmd/tool", Name: "main", Doc: "Package main is a tool."},
	} {
		if undocumented(p) == "" {
			t.Errorf("%+v passes", p)
		}
	}
	for _, p := range []pkg{
		{ImportPath: module + "/x", Name: "x", Doc: "Package x owns x."},
		{ImportPath: module + "/cmd/tool", Name: "main", Doc: "Command tool runs."},
	} {
		if why := undocumented(p); why != "" {
			t.Errorf("%+v: %s", p, why)
		}
	}
}
