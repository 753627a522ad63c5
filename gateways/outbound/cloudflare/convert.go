package cloudflare

import (
	"fmt"

	"github.com/cloudflare/cloudflare-go/v7/dns"
	"github.com/cloudflare/cloudflare-go/v7/packages/pagination"

	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

type dnsPage = pagination.V4PagePaginationArray[dns.RecordResponse]

// fromResponse is the record Cloudflare answered with, in the zone's terms
// (its timestamps are not among them).
func fromResponse(r dns.RecordResponse) zone.Record {
	return zone.Record{
		ID: r.ID,
		RecordSpec: zone.RecordSpec{
			Type: zone.RecordType(r.Type), Name: r.Name, Content: r.Content,
			TTL: int(r.TTL), Proxied: r.Proxied, Comment: r.Comment,
		},
	}
}

// bodyFor builds the library's request body for spec. The fields are set
// directly: the library's helper (cloudflare.F) lives in its root package,
// which compiles every Cloudflare product.
func bodyFor(s zone.RecordSpec) (any, error) {
	switch s.Type {
	case zone.TypeA:
		p := dns.ARecordParam{}
		p.Type.Value, p.Type.Present = dns.ARecordTypeA, true
		p.Name.Value, p.Name.Present = s.Name, true
		p.Content.Value, p.Content.Present = s.Content, true
		p.TTL.Value, p.TTL.Present = dns.TTL(s.TTL), true
		p.Proxied.Value, p.Proxied.Present = s.Proxied, true
		p.Comment.Value, p.Comment.Present = s.Comment, s.Comment != ""
		return p, nil
	case zone.TypeAAAA:
		p := dns.AAAARecordParam{}
		p.Type.Value, p.Type.Present = dns.AAAARecordTypeAAAA, true
		p.Name.Value, p.Name.Present = s.Name, true
		p.Content.Value, p.Content.Present = s.Content, true
		p.TTL.Value, p.TTL.Present = dns.TTL(s.TTL), true
		p.Proxied.Value, p.Proxied.Present = s.Proxied, true
		p.Comment.Value, p.Comment.Present = s.Comment, s.Comment != ""
		return p, nil
	case zone.TypeTXT:
		p := dns.TXTRecordParam{}
		p.Type.Value, p.Type.Present = dns.TXTRecordTypeTXT, true
		p.Name.Value, p.Name.Present = s.Name, true
		p.Content.Value, p.Content.Present = s.Content, true
		p.TTL.Value, p.TTL.Present = dns.TTL(s.TTL), true
		p.Proxied.Value, p.Proxied.Present = s.Proxied, true
		p.Comment.Value, p.Comment.Present = s.Comment, s.Comment != ""
		return p, nil
	}
	return nil, fmt.Errorf("record type %q not supported (A, AAAA, TXT)", s.Type)
}
