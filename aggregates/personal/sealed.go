package personal

// Sealed is personal data encrypted under a data key (package
// internal/datakeys): opaque here, and unreadable once the key is destroyed.
// A tenant's email and password hash are sealed under the tenant's key, the
// email of a one-time code under the key of the day.
type Sealed string
