package host

import (
	"io"
	"log/slog"
)

// NewLogger returns the logger every Wardnet Cloud process uses: JSON lines
// on w (stderr in the binaries) at the given level. Keys are stable and
// lower-case (service, tenant, network, seq, projector, err); values never
// hold secrets, tokens or full email addresses.
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
