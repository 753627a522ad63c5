package main

import (
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wardnet/wardnet-cloud/internal/host"
)

// Each service's database lives on the server WARDNET_DATABASE_URL names,
// whichever form that URL takes.
func TestDatabaseURLPerService(t *testing.T) {
	tests := []struct{ admin, want string }{
		{"postgres://admin:pw@db:5432/postgres?sslmode=require", "postgres://admin:pw@db:5432/tenants?sslmode=require"},
		{"postgresql://admin@db/", "postgresql://admin@db/tenants"},
		{"host=db user=admin dbname=postgres", "host=db user=admin dbname=postgres dbname=tenants"},
	}
	for _, tt := range tests {
		p := &postgres{admin: host.DSN(tt.admin)}
		got := string(p.url("tenants"))
		if got != tt.want {
			t.Errorf("url(%q) = %q, want %q", tt.admin, got, tt.want)
		}
		cfg, err := pgconn.ParseConfig(got)
		if err != nil {
			t.Errorf("%q: %v", got, err)
		} else if cfg.Database != "tenants" {
			t.Errorf("%q connects to database %q", got, cfg.Database)
		}
	}
}
