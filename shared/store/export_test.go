package store

// Backoff is backoff, for the tests of its bounds.
var Backoff = backoff

// WithSet is withSet, for the test of every clause order.
var WithSet = withSet

// Mailbox is mailbox, for the test of the spellings of one box.
var Mailbox = mailbox
