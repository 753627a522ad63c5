package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

func natsAddr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// startNATS runs an embedded NATS server with JetStream stored under
// <dataDir>/nats, on 127.0.0.1 only.
func startNATS(dataDir string, port int, log *slog.Logger) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "wardnet-dev",
		Host:       "127.0.0.1",
		Port:       port,
		JetStream:  true,
		StoreDir:   filepath.Join(dataDir, "nats"),
		NoSigs:     true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	l := log.With("component", "nats")
	srv.SetLoggerV2(natsLogger{l}, l.Enabled(context.Background(), slog.LevelDebug), false, false)
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("nats: not ready on %s after 30 s", natsAddr(port))
	}
	l.Info("nats started", "url", srv.ClientURL(), "store", opts.StoreDir)
	return srv, nil
}

func stopNATS(srv *server.Server, log *slog.Logger) {
	srv.Shutdown()
	srv.WaitForShutdown()
	log.Info("nats stopped")
}

// natsLogger sends the server's log to slog. Notices, which the server
// prints by the dozen at start-up, go to debug; Fatalf never exits.
type natsLogger struct{ l *slog.Logger }

func (n natsLogger) Noticef(format string, v ...any) { n.l.Debug(fmt.Sprintf(format, v...)) }
func (n natsLogger) Warnf(format string, v ...any)   { n.l.Warn(fmt.Sprintf(format, v...)) }
func (n natsLogger) Fatalf(format string, v ...any)  { n.l.Error(fmt.Sprintf(format, v...)) }
func (n natsLogger) Errorf(format string, v ...any)  { n.l.Error(fmt.Sprintf(format, v...)) }
func (n natsLogger) Debugf(format string, v ...any)  { n.l.Debug(fmt.Sprintf(format, v...)) }
func (n natsLogger) Tracef(format string, v ...any)  { n.l.Debug(fmt.Sprintf(format, v...)) }
