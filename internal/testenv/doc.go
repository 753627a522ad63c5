// Package testenv gives tests the real parts Wardnet Cloud runs on: an
// in-process nats-server with JetStream on a temporary directory, and a fresh
// Postgres database with the migrations applied.
//
// Postgres comes from WARDNET_TEST_DATABASE_URL, else the server on
// 127.0.0.1:5432 (user postgres), else a throwaway cluster started once per
// test binary from the system's binaries (package pgcluster). Packages that
// use Postgres call testenv.Main from TestMain so that a throwaway cluster
// is stopped when the tests end.
//
// It also gives them the two ways a test deals with time: Eventually, the
// one way to wait for what runs in the background (no fixed sleeps), and
// Clock, a clock the test moves by hand.
package testenv
