package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

type banner struct {
	dataDir  string
	natsURL  string
	pg       *postgres
	services []devService
}

// printBanner tells a newcomer what runs where and what to try first.
func printBanner(w io.Writer, b banner) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nWardnet Cloud is running. Data in %s (kept across runs).\n\n", b.dataDir)
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  NATS\t%s\tJetStream in %s\n", b.natsURL, filepath.Join(b.dataDir, "nats"))
	dbs := strings.Join(databases, ", ")
	if b.pg.cluster != nil {
		fmt.Fprintf(tw, "  Postgres\t%s\tdatabases %s; log %s\n", b.pg.admin, dbs, b.pg.logPath)
	} else {
		fmt.Fprintf(tw, "  Postgres\t%s\tdatabases %s (WARDNET_DATABASE_URL)\n", b.pg.admin, dbs)
	}
	for _, s := range b.services {
		fmt.Fprintf(tw, "  %s\thttp://%s\t/healthz /readyz /metrics\n", s.name, s.Addr())
	}
	_ = tw.Flush()
	fmt.Fprintf(&sb, "\nTry:\n")
	for i, s := range b.services {
		path := []string{"/readyz", "/healthz", "/metrics | head"}[i%3]
		fmt.Fprintf(&sb, "  curl -s http://%s%s\n", s.Addr(), path)
	}
	if b.pg.cluster != nil {
		fmt.Fprintf(&sb, "  psql %s\n", b.pg.url(databases[0]))
	}
	fmt.Fprintf(&sb, "  go run ./cmd/wardctl --nats-url %s events tail\n", b.natsURL)
	fmt.Fprintf(&sb, "  go run ./cmd/wardctl --nats-url %s --database-url '%s' projections status\n", b.natsURL, b.pg.url(databases[0]))
	fmt.Fprintf(&sb, "\nCtrl-C stops everything; the next run starts on the same data.\n\n")
	_, _ = io.WriteString(w, sb.String())
}
