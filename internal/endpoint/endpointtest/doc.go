// Package endpointtest checks the answers of a public HTTP API against its
// OpenAPI document, for the tests of the APIs that follow internal/endpoint
// (gateways/inbound/tenantsapi, gateways/inbound/ddnsapi). It is test support: no binary
// imports it.
package endpointtest
