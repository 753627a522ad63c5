package main

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/tenants"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

// edgeAddrs is what the banner needs of the tunneller: its SNI listeners.
type edgeAddrs interface {
	HTTPSAddr() net.Addr
	DoTAddr() net.Addr
}

type banner struct {
	dataDir    string
	natsURL    string
	pg         *postgres
	services   []devService
	cloudflare *fakeCloudflare
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
	var ddnsAddr, tenantsAddr, tunnellerAddr string
	var edge edgeAddrs
	for _, s := range b.services {
		extra := ""
		switch s.name {
		case ddns.Name:
			ddnsAddr = dialable(s.Addr())
			extra = " /dev/dns (the fake Cloudflare's records)"
		case tenants.Name:
			tenantsAddr = dialable(s.Addr())
		case tunneller.Name:
			tunnellerAddr = dialable(s.Addr())
			extra = " GET /v1/tunnel (the daemons' tunnels)"
			edge, _ = s.runner.(edgeAddrs)
		}
		fmt.Fprintf(tw, "  %s\thttp://%s\t/healthz /readyz /metrics%s\n", s.name, s.Addr(), extra)
	}
	if edge != nil {
		var ls []string
		if a := edge.HTTPSAddr(); a != nil {
			ls = append(ls, fmt.Sprintf("%s → port 443", dialable(a)))
		}
		if a := edge.DoTAddr(); a != nil {
			ls = append(ls, fmt.Sprintf("%s → port 853", dialable(a)))
		}
		if len(ls) > 0 {
			fmt.Fprintf(tw, "  edge (SNI)\t%s\tTLS to <anything>.<slug>.%s reaches the network's daemon; no PROXY header\n", strings.Join(ls, ", "), devZone)
		}
	}
	if b.cloudflare != nil {
		fmt.Fprintf(tw, "  cloudflare (fake)\t%s\tzone %s of region %s, in memory\n", b.cloudflare.URL(), devZone, devRegion)
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
	if ddnsAddr != "" && tenantsAddr != "" {
		// The agent's defaults reach wardnet-dev on its default addresses.
		agent := "go run ./cmd/wardnet-agent"
		if tenantsAddr != "127.0.0.1:8080" {
			agent += " --server http://" + tenantsAddr
		}
		if ddnsAddr != "127.0.0.1:8081" {
			agent += " --ddns http://" + ddnsAddr
		}
		fmt.Fprintf(&sb, "\nA daemon's life, with the agent (its state in ~/.local/state/wardnet-agent):\n")
		fmt.Fprintf(&sb, "  %s enroll --email you@example.com\n", agent)
		fmt.Fprintf(&sb, "  %s register --slug my-lab --region %s\n", agent, devRegion)
		fmt.Fprintf(&sb, "  %s report-ip --ip 203.0.114.7\n", agent)
		fmt.Fprintf(&sb, "  curl -s http://%s/dev/dns     # my-lab.%s A 203.0.114.7\n", ddnsAddr, devZone)
		fmt.Fprintf(&sb, "A router's dyndns2 update, with a credential from POST /v1/tenants/{id}/networks/my-lab/credentials:\n")
		fmt.Fprintf(&sb, "  curl -s -u USERNAME:SECRET 'http://%s/nic/update?hostname=my-lab.%s&myip=203.0.114.8'\n", ddnsAddr, devZone)
		if edge != nil && edge.HTTPSAddr() != nil && tunnellerAddr != "" {
			_, port, _ := net.SplitHostPort(dialable(edge.HTTPSAddr()))
			name := "app.my-lab." + devZone
			fmt.Fprintf(&sb, "A TLS server of the daemon's, reached through the tunnel (the edge never decrypts):\n")
			fmt.Fprintf(&sb, "  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=my-lab \\\n"+
				"    -addext 'subjectAltName=DNS:*.my-lab.%s' -keyout key.pem -out cert.pem\n", devZone)
			fmt.Fprintf(&sb, "  openssl s_server -accept 127.0.0.1:9443 -cert cert.pem -key key.pem -www &\n")
			fmt.Fprintf(&sb, "  %s tunnel --tunneller http://%s --local-443 127.0.0.1:9443 &\n", agent, tunnellerAddr)
			fmt.Fprintf(&sb, "  curl --cacert cert.pem --resolve %s:%s:127.0.0.1 https://%s:%s/\n", name, port, name, port)
		}
	}
	fmt.Fprintf(&sb, "\nCtrl-C stops everything; the next run starts on the same data.\n\n")
	_, _ = io.WriteString(w, sb.String())
}
