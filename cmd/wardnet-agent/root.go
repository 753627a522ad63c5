package main

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardnet/wardnet-cloud/agent"
)

// defaultServer and defaultDDNS reach a local wardnet-dev.
const (
	defaultServer = "http://127.0.0.1:8080"
	defaultDDNS   = "http://127.0.0.1:8081"
)

// globals are the settings every subcommand shares.
type globals struct {
	server    string
	ddns      string
	statePath string
	verbose   bool
	in        io.Reader
	out       io.Writer
	errOut    io.Writer
}

func newRootCmd(in io.Reader, out, errOut io.Writer) *cobra.Command {
	g := &globals{in: in, out: out, errOut: errOut}
	root := &cobra.Command{
		Use:           "wardnet-agent",
		Short:         "Act as a Wardnet daemon towards the tenants, ddns and tunneller services",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errOut)
	f := root.PersistentFlags()
	f.StringVar(&g.server, "server", envOr("WARDNET_SERVER", defaultServer), "base URL of the tenants service [$WARDNET_SERVER]")
	f.StringVar(&g.ddns, "ddns", envOr("WARDNET_DDNS", defaultDDNS), "base URL of the region's ddns service [$WARDNET_DDNS]")
	f.StringVar(&g.statePath, "state", envOr("WARDNET_AGENT_STATE", defaultStatePath()), "state file holding the daemon identity [$WARDNET_AGENT_STATE]")
	f.BoolVarP(&g.verbose, "verbose", "v", false, "log every call to stderr")
	root.AddCommand(
		newRequestCodeCmd(g), newEnrollCmd(g), newTokenCmd(g),
		newAvailabilityCmd(g), newRegisterCmd(g), newStatusCmd(g), newTeardownCmd(g),
		newReportIPCmd(g), newACMECmd(g), newTunnelCmd(g),
	)
	return root
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// defaultStatePath follows the XDG base directory specification:
// $XDG_STATE_HOME when it is an absolute path, else ~/.local/state. It is
// empty when neither is known.
func defaultStatePath() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "wardnet-agent", "state.json")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", "wardnet-agent", "state.json")
}

// client opens the daemon identity at --state for --server.
func (g *globals) client() (*agent.Client, error) { return g.clientLogging(slog.LevelWarn) }

// clientLogging is client logging from level on to stderr (from debug
// with --verbose), for the commands that run until interrupted.
func (g *globals) clientLogging(level slog.Level) (*agent.Client, error) {
	if g.statePath == "" {
		return nil, errors.New("no state file: set --state or $WARDNET_AGENT_STATE (or $XDG_STATE_HOME or $HOME)")
	}
	if g.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(g.errOut, &slog.HandlerOptions{Level: level}))
	return agent.NewClient(g.server, &http.Client{Timeout: 30 * time.Second}, g.statePath,
		agent.WithLogger(log), agent.WithDDNS(g.ddns))
}
