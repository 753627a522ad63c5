// Package presence says which tunnel node holds which network's tunnel, in
// the JetStream key-value bucket "presence" (DESIGN §3; contract §6.2 and
// §6.4, where the reference implementation kept tunnel_routes rows in
// Postgres with a last_seen column and a TTL reaper).
//
// The bucket holds one key per network id whose value is the holding
// node's id, and keeps one revision per key, in memory (R3 in production):
// presence outlives no cluster restart, and need not, since it is
// refreshed every few seconds. Every write carries a
// per-message TTL (Nats-TTL, the node's TTL, 15 s by default), so the key
// of a node that stops refreshing it expires by itself: no reaper. The
// bucket has LimitMarkerTTL set, which is what lets JetStream honour
// per-message TTLs and leave a marker that watchers see when a key
// expires.
//
// Claim writes the key unconditionally: a daemon that reconnects, to this
// node or another, displaces its tunnel wherever it was. Release deletes
// the key only if it still names the node, by a revision-conditional
// purge, so a node never removes a newer holder's claim. Holder reads it.
//
// Run keeps the claims made through a Presence alive and tells their
// owner when they are lost. Every TTL/3 it rewrites each claim with the
// revision it last wrote as the expected one, so a heartbeat never
// overwrites another node's claim. It also watches the bucket: a claim of
// the same network by another node reaches the displaced one at once, and
// the functions given to Watch are called with a Displacement, so that the
// node closes the old tunnel. The watch starts (and restarts, after a
// failure) with every key's current value, so a displacement while nothing
// watched is found then. A heartbeat that finds the key moved reports
// the same (a displacement the watch missed, e.g. while NATS was
// unreachable). A claim the watch or a heartbeat finds expired (heartbeats
// late) is claimed again, unless another node claimed it meanwhile.
//
// The watch receives every write to the bucket, heartbeats included:
// with K networks held in a region and the default TTL, each node reads
// K/5 messages a second.
//
// The package does not decide whether a network may hold a tunnel
// (package route), hold tunnels or forward traffic between nodes; it
// knows network ids and node ids, nothing of slugs or addresses beyond
// what a node id says.
package presence
