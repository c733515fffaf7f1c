// Command photo-reads prints who read a manual review's photo, and when, for an audit:
//
//	TABLE_NAME=applicant-accounts go run ./infra/photo-reads -review <reviewId>
//
// Each line is a reviewer's account id and the time of the read (CST). AWS credentials come
// from the usual chain; DYNAMODB_ENDPOINT points it at a local store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jszg/applicant-accounts/infra/opsenv"
	"github.com/jszg/applicant-accounts/shared/clock"
)

func main() {
	review := flag.String("review", "", "the review's id")
	flag.Parse()
	if err := run(os.Stdout, *review); err != nil {
		fmt.Fprintln(os.Stderr, "photo-reads:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, reviewID string) error {
	if reviewID == "" {
		return errors.New("-review is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := opsenv.Store(ctx)
	if err != nil {
		return err
	}
	reads, err := db.ListPhotoReads(ctx, reviewID)
	if err != nil {
		return err
	}
	for _, r := range reads {
		fmt.Fprintf(out, "%s\t%s\n", time.UnixMilli(r.ReadAt).In(clock.CST).Format(time.RFC3339), r.ReviewerID)
	}
	fmt.Fprintf(out, "%d reads\n", len(reads))
	return nil
}
