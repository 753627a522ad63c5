package host_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/host"
)

// Every way of printing a DSN hides its password but keeps the target.
func TestDSNNeverPrintsPassword(t *testing.T) {
	const pw = "s3cr3t-Pa55"
	tests := []struct {
		dsn  host.DSN
		want string
	}{
		{"postgres://tenants:" + pw + "@db:5432/tenants?sslmode=disable", "postgres://tenants:REDACTED@db:5432/tenants"},
		{"postgresql://tenants@db/tenants?password=" + pw, "postgres://tenants:REDACTED@db:5432/tenants"},
		{"host=db port=6432 user=ddns password=" + pw + " dbname=ddns", "postgres://ddns:REDACTED@db:6432/ddns"},
		{"host=db user=ddns password='" + pw + " x' dbname=ddns", "postgres://ddns:REDACTED@db:5432/ddns"},
		{"postgres://u:" + pw + "@a:5432,b:5433/x", "postgres://u:REDACTED@a:5432,b:5433/x"},
		{"postgres://u:" + pw + "@db:notaport/x", "(unparsable connection string, hidden)"},
		{"postgres://u@db:5432/x", "postgres://u@db:5432/x"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			cfg := host.Config{DatabaseURL: tt.dsn}
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "dsn", tt.dsn, "config", cfg, "described", host.Describe(cfg))
			js, _ := json.Marshal(cfg)
			out := strings.Join([]string{
				tt.dsn.String(),
				fmt.Sprint(tt.dsn), fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, tt.dsn, tt.dsn),
				buf.String(), string(js),
			}, "\n")
			if strings.Contains(out, pw) {
				t.Fatalf("password printed:\n%s", out)
			}
			if tt.dsn.String() != tt.want {
				t.Fatalf("String() = %q, want %q", tt.dsn.String(), tt.want)
			}
			if !strings.Contains(buf.String(), `"WARDNET_DATABASE_URL":"`+tt.want+`"`) {
				t.Fatalf("Describe does not show the redacted DSN under its variable:\n%s", buf.String())
			}
		})
	}
}
