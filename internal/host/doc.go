// Package host runs one Wardnet Cloud service process: the lifecycle every
// service binary shares: the configuration common to all of them (loaded from WARDNET_*
// environment variables, validated, printed with secrets redacted), the
// start-up sequence (connect NATS, connect Postgres, apply the migrations,
// ensure the EVENTS stream, bind the HTTP listener), the runtime endpoints
// (GET /healthz, GET /readyz, GET /metrics) and graceful shutdown.
//
// A service builds on it in three steps: Start connects and returns a
// Runtime; the service registers its HTTP routes (Handle), its long-running
// components (AddComponent) and its readiness checks (AddReadiness); Run
// serves until its context ends and then stops everything in order: the
// HTTP server, the components, the NATS connection (drained), the Postgres
// pool. Build does the first two for a service's New: it validates the
// service's whole configuration, starts the runtime and runs the service's
// wiring, closing the runtime when that fails. LoadConfig reads and
// validates a service's configuration for its binary.
//
// It does not know any domain: routes, projectors and process managers
// belong to the services (package services/...) and to the packages they
// wire together.
package host
