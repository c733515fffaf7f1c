//go:build !race

package localserver_test

const raceBuild = false
