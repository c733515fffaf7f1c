package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The committed assets are what this command writes from the go-captcha-assets of go.mod.
func TestCommittedAssetsAreUpToDate(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir, 60, 70); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "assets")
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	want, got := names(dir), names(committed)
	if !slices.Equal(want, got) {
		t.Fatalf("shared/captcha/assets holds %v, the generator writes %v: run go generate ./shared/captcha", got, want)
	}
	for _, name := range want {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(committed, name))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s differs from what the generator writes: run go generate ./shared/captcha", name)
		}
	}
}
