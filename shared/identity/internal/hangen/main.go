// Command hangen writes the pages' table of Chinese characters of a name,
// web/src/lib/hanRanges.ts, from the server's (`go generate ./shared/identity`).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/identity/internal/hantable"
)

func main() {
	out := flag.String("out", "../../web/src/lib/hanRanges.ts", "file to write")
	flag.Parse()
	if err := os.WriteFile(*out, hantable.TypeScript(identity.IsIdeograph), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "hangen:", err)
		os.Exit(1)
	}
}
