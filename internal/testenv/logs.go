package testenv

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Logs keeps every line the code under test logs, so that the test can
// check what is (and is not) logged; it is safe for concurrent writers.
// The zero value is an empty sink; NewLogs also prints it when the test
// fails.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLogs returns an empty sink that prints what it holds if tb fails.
func NewLogs(tb testing.TB) *Logs {
	l := &Logs{}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("service logs:\n%s", l.String())
		}
	})
	return l
}

// Logger is a JSON logger at debug level into the sink.
func (l *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Lines decodes the JSON log lines.
func (l *Logs) Lines(tb testing.TB) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tb.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}
