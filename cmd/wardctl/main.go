// Command wardctl is the Wardnet Cloud command line for operators: it reads
// and replays the event log, and watches and rebuilds projections. (People's
// account commands come with the login work.)
//
// It talks to NATS and Postgres directly, like any other ops tool of a
// database: point it at them with --nats-url / WARDNET_NATS_URL and
// --database-url / WARDNET_DATABASE_URL. The defaults reach wardnet-dev.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd(os.Stdout, os.Stderr).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "wardctl:", err)
		os.Exit(1)
	}
}
