//go:build race

package localserver_test

// raceBuild: this test binary is built with the race detector, and so are the functions it
// builds, which then share every package the tests already compiled instead of compiling
// the graph a second time.
const raceBuild = true
