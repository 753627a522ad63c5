package tunnel

import "time"

// Options are a v2 session's limits and timers. The zero value of a field
// takes its default; a negative duration turns its timer off.
type Options struct {
	// MaxStreams bounds the streams open at once, each buffering at most
	// one window (256 KiB) of received data: the default, 256, bounds a
	// session's receive buffers at 64 MiB. Over it, a node's OpenStream
	// fails with ErrTooManyStreams and a daemon refuses the OPEN
	// (too many streams).
	MaxStreams int
	// MaxPending bounds the streams opened but not yet answered: on a node
	// the OPENs awaiting OPEN_OK (contract §6.3: 256), on a daemon those
	// not yet confirmed or refused, Accept's backlog included (default
	// 256).
	MaxPending int
	// OpenTimeout is how long a node waits for OPEN_OK before it resets
	// the stream (default 10 s, docs/api/tunnel-protocol.md §3.3).
	OpenTimeout time.Duration
	// KeepAlive is the interval between the session's PINGs (default
	// 30 s).
	KeepAlive time.Duration
	// IdleTimeout closes the session with 4004 when no message has
	// arrived for that long (default 90 s). With both sides pinging, only
	// a dead peer trips it.
	IdleTimeout time.Duration
	// MaxFlows bounds the UDP flows open at once (default 8, contract
	// §6.6).
	MaxFlows int
	// FlowIdleTimeout closes a flow that carried no datagram for that long
	// (default 2 min, contract §6.6).
	FlowIdleTimeout time.Duration
	// FlowQueue bounds the datagrams received on a flow and not yet read;
	// more are dropped (default 64).
	FlowQueue int
	// DatagramQueue bounds the datagrams waiting to be sent, all flows
	// together; when full the oldest is dropped (default 256).
	DatagramQueue int
}

// The defaults of Options.
const (
	DefaultMaxStreams      = 256
	DefaultMaxPending      = 256
	DefaultOpenTimeout     = 10 * time.Second
	DefaultKeepAlive       = 30 * time.Second
	DefaultIdleTimeout     = 90 * time.Second
	DefaultMaxFlows        = 8
	DefaultFlowIdleTimeout = 2 * time.Minute
	DefaultFlowQueue       = 64
	DefaultDatagramQueue   = 256
)

func (o Options) withDefaults() Options {
	orInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	orDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	orInt(&o.MaxStreams, DefaultMaxStreams)
	orInt(&o.MaxPending, DefaultMaxPending)
	orInt(&o.MaxFlows, DefaultMaxFlows)
	orInt(&o.FlowQueue, DefaultFlowQueue)
	orInt(&o.DatagramQueue, DefaultDatagramQueue)
	orDur(&o.OpenTimeout, DefaultOpenTimeout)
	orDur(&o.KeepAlive, DefaultKeepAlive)
	orDur(&o.IdleTimeout, DefaultIdleTimeout)
	orDur(&o.FlowIdleTimeout, DefaultFlowIdleTimeout)
	return o
}
