// Package tunneller is the tunneller service's application layer: the
// commands of a region's tunnel edge that change the log, listed on one
// screen by the Commands interface (commands.go) and run by App, and the
// process manager that follows the networks' deprovisioning
// (UDPPortProcess, udp_port_process.go).
//
// Today that is the UDP relay's port pool (aggregates/udpport): every
// network that holds a tunnel in the region gets a stable public UDP port
// from the region's pool (AllocateUDPPort, which the edge node calls when
// it holds a v2 tunnel), and gives it back when it goes (ReleaseUDPPort,
// which the process manager runs on the network's deprovisioning). Each
// command is a struct named for it and a method of App of the same name,
// in a file named after it with its test beside it. A command loads the
// aggregates it needs, decides with their pure rules and appends with
// aggregates.Execute, whose version check on the region's pool keeps two
// nodes (or two replicas) from handing out one port twice.
//
// The routing table, presence and the data plane are the edge's
// (edge/route, edge/presence, edge/node), which read the log and decide
// nothing; this package does not speak HTTP or WebSocket and binds no
// socket. Refusals are *Error values (package refusal) whose Kind a
// caller can act on; anything else is an internal failure.
package tunneller
