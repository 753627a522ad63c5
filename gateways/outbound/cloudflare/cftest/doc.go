// Package cftest is a fake of the Cloudflare DNS records API (v4), faithful
// at the HTTP boundary, for tests and for wardnet-dev.
//
// It speaks Cloudflare's wire format for the subset of the API that Wardnet
// uses, under /client/v4:
//
//	GET    /zones/{zone_id}/dns_records       list (type, name, name.exact,
//	                                          name.contains/startswith/endswith,
//	                                          content, content.exact, page, per_page)
//	POST   /zones/{zone_id}/dns_records       create
//	GET    /zones/{zone_id}/dns_records/{id}  get one
//	PUT    /zones/{zone_id}/dns_records/{id}  overwrite
//	PATCH  /zones/{zone_id}/dns_records/{id}  update some fields
//	DELETE /zones/{zone_id}/dns_records/{id}  delete
//
// Every answer is Cloudflare's envelope
// {"success":…,"errors":[{"code":…,"message":…}],"messages":[],"result":…}
// (plus "result_info" on lists) with Cloudflare's status codes and error
// codes: 403/10000 for a wrong token, 404/7003+7000 for an unknown zone,
// 404/81044 for an unknown record, 400/81058 for an identical record,
// 400/9000, 9005, 9006, 9021… for invalid records, 429/971 with Retry-After
// when throttled. Record ids are 32 hex digits, names are fully qualified
// and lower case, and created_on/modified_on follow the fake's clock.
//
// Beyond the API, a [Fake] lets a test (or a developer) act behind the
// client's back: inject 429s, 5xx, dropped connections and latency
// ([Fake.Inject], [Fake.SetLatency]); enforce Cloudflare's request ceiling of
// 1 200 requests per 5 minutes ([WithCeiling]); count and list requests
// ([Fake.Requests], [Fake.RequestLog]); add, edit and delete records by hand
// ([Fake.PutRecord], [Fake.EditRecord], [Fake.RemoveRecord]); and list a zone
// ([Fake.Records], [Fake.ListingHandler] for wardnet-dev's GET /dev/dns).
// [NewServer] wraps a Fake in an httptest server that a test cleans up.
// [VirtualClock] is a clock whose Sleep advances time at once, shared by the
// fake and the client under test so that retries and rate budgets are
// measured without sleeping.
//
// What it does not do: other record types than A, AAAA and TXT, zones
// endpoints, batch, import/export, tags and comment filters, ordering
// parameters (results are sorted by name, type, content, id), and the
// per-IP limit of 200 requests per second. Error codes not confirmed from
// Cloudflare's answers in the wild (7001 method not allowed, 1004 for bad
// paging parameters, 10001 for injected 5xx) are marked where they are
// produced. It keeps everything in memory; it is not a DNS server.
package cftest
