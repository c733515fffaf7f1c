package identity

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"github.com/jszg/applicant-accounts/shared/identity/internal/hantable"
)

// The pages' table (web/src/lib/hanRanges.ts) is what the generator writes from this Go's
// unicode.Han, and holds exactly the characters IsIdeograph takes: a Go whose Unicode adds
// characters fails here until `go generate ./shared/identity` is run again.
func TestThePagesHanTableIsTheServers(t *testing.T) {
	committed, err := os.ReadFile(filepath.Join("..", "..", "web", "src", "lib", "hanRanges.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, hantable.TypeScript(IsIdeograph)) {
		t.Fatal("web/src/lib/hanRanges.ts differs from what the generator writes: run go generate ./shared/identity")
	}
	ranges := hantable.Ranges(IsIdeograph)
	i := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		for i < len(ranges) && ranges[i][1] < r {
			i++
		}
		inTable := i < len(ranges) && ranges[i][0] <= r
		if inTable != IsIdeograph(r) {
			t.Fatalf("U+%04X: in the pages' table %v, IsIdeograph %v", r, inTable, IsIdeograph(r))
		}
	}
}
