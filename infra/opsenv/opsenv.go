// Package opsenv builds the store for operator commands run from a workstation, where
// credentials come from the usual chain (profile, SSO, environment) rather than from the
// Lambda environment; TABLE_NAME names the table and DYNAMODB_ENDPOINT may point at a local one.
package opsenv

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/jszg/applicant-accounts/shared/awsenv"
	"github.com/jszg/applicant-accounts/shared/store"
)

// Store opens the table of TABLE_NAME.
func Store(ctx context.Context) (*store.Store, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return store.New(store.NewClient(cfg, awsenv.Endpoint("DYNAMODB_ENDPOINT")), table), nil
}
