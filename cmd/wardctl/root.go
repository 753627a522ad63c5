package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/wardnet/wardnet-cloud/events"
)

// Defaults reach a local wardnet-dev.
const (
	defaultNATSURL     = "nats://127.0.0.1:14222"
	defaultDatabaseURL = "postgres://postgres@127.0.0.1:15432/tenants?sslmode=disable"
)

// globals are the connection settings every subcommand shares.
type globals struct {
	natsURL     string
	natsCreds   string
	databaseURL string
	out, errOut io.Writer
}

func newRootCmd(out, errOut io.Writer) *cobra.Command {
	g := &globals{out: out, errOut: errOut}
	root := &cobra.Command{
		Use:           "wardctl",
		Short:         "Operate Wardnet Cloud: the event log and its projections",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(out)
	root.SetErr(errOut)
	f := root.PersistentFlags()
	f.StringVar(&g.natsURL, "nats-url", envOr("WARDNET_NATS_URL", defaultNATSURL), "NATS server URL(s), comma-separated [$WARDNET_NATS_URL]")
	f.StringVar(&g.natsCreds, "nats-creds", os.Getenv("WARDNET_NATS_CREDS_PATH"), "NATS credentials file [$WARDNET_NATS_CREDS_PATH]")
	f.StringVar(&g.databaseURL, "database-url", envOr("WARDNET_DATABASE_URL", defaultDatabaseURL), "Postgres URL of the service whose projections to inspect [$WARDNET_DATABASE_URL]")
	root.AddCommand(newEventsCmd(g), newProjectionsCmd(g))
	return root
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// jetStream connects to NATS. The caller closes the connection.
func (g *globals) jetStream() (*nats.Conn, jetstream.JetStream, error) {
	opts := []nats.Option{nats.Name("wardctl"), events.ConnOption(), nats.Timeout(5 * time.Second)}
	if g.natsCreds != "" {
		opts = append(opts, nats.UserCredentials(g.natsCreds))
	}
	nc, err := nats.Connect(g.natsURL, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to NATS at %s: %w", g.natsURL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	return nc, js, nil
}
