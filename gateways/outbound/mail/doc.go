// Package mail sends one-time codes by email (wardnet-contract.md §3.5).
//
// A Sender delivers a Code: the address, the code and its Purpose, which
// decides the subject and wording. Two Senders exist:
//
//   - Resend posts to Resend's API (POST {base}/emails, Bearer key, JSON
//     {from, to:[email], subject, html, text}) with a 10 s connect and a
//     30 s request timeout. A refusal is a *ResendError carrying Resend's
//     status, error name and message.
//   - Dev sends nothing and logs "code issued" with the purpose, the code
//     and the masked address, for development without an API key; its
//     Echoes reports true so that the API returns the code in its answer,
//     as the contract prescribes when RESEND_API_KEY is unset.
//
// Each also has SendCode, which takes the domain's email, code and purpose
// (aggregates/personal, aggregates/code): with Echoes, it is the Mailer
// port the tenants application declares (commands/tenants.Mailer), which a
// Sender implements without this package importing the application.
//
// New picks one of them from the options. Neither Sender logs the API key
// or a full address, and Resend never logs codes.
//
// This package does not generate, store, rate-limit or check codes, and
// does not read configuration: the caller reads the API key from its file
// and passes it in. Package mailtest holds a fake Resend server for tests.
package mail
