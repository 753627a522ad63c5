// Package mailtest is a fake Resend API for tests: an httptest server that
// speaks Resend's wire format for POST /emails. It checks the bearer key
// (401 missing_api_key, 403 invalid_api_key), the JSON body (422
// missing_required_field and validation_error, like Resend), answers
// {"id": "<uuid>"} and records the mails it accepts. It can be told to fail
// with 429 rate_limit_exceeded or 500 internal_server_error, and LastCode
// pulls the code out of the last mail sent to an address.
//
// It is stricter than Resend in one way: unknown top-level fields are a
// validation_error, so that a misspelt field fails a test instead of being
// ignored. It does not deliver anything, check sender domains, or
// implement any other Resend endpoint.
package mailtest
