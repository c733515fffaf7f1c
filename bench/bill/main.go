// Command bill prices the AWS cost of one applicant's cycle and of a million applicants', in
// us-east-1 and cn-north-1, from the DynamoDB requests of each operation (ops.go), the
// functions' MemorySize in template.yaml, the durations measured or estimated (model.go) and
// the prices with their sources (prices.go). It prints Markdown; docs/PERFORMANCE.md ("The
// bill") holds its output with the method.
//
//	go run ./bench/bill
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	path := flag.String("template", "template.yaml", "the SAM template, for each function's MemorySize")
	flag.Parse()
	f, err := os.Open(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bill: run from the repository root:", err)
		os.Exit(1)
	}
	t, err := ReadTemplate(f)
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bill:", err)
		os.Exit(1)
	}
	Report(os.Stdout, t, Assumed)
}
