package store

// Backoff is backoff, for the tests of its bounds.
var Backoff = backoff
