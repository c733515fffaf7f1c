package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CreateTable makes the table of template.yaml on a DynamoDB-compatible server, for local runs
// and tests; an existing table is left as it is. In AWS the template creates it.
func CreateTable(ctx context.Context, db *dynamodb.Client, name string) error {
	str := types.ScalarAttributeTypeS
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrPK), AttributeType: str},
			{AttributeName: aws.String(attrSK), AttributeType: str},
			{AttributeName: aws.String(attrGSI1PK), AttributeType: str},
			{AttributeName: aws.String(attrGSI1SK), AttributeType: str},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(GSI1),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrGSI1PK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(attrGSI1SK), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	return nil
}

// WaitActive waits until the table and its index can be used: DynamoDB and most emulators
// answer CreateTable at once with the table still CREATING, and refuse items until it is
// ACTIVE. A server that reports no status (minidyn) is taken as ready.
func WaitActive(ctx context.Context, db *dynamodb.Client, name string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe table %s: %w", name, err)
		}
		if ready(out.Table) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("table %s is not active after %s", name, limit)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func ready(t *types.TableDescription) bool {
	if t == nil || t.TableStatus != "" && t.TableStatus != types.TableStatusActive {
		return false
	}
	for _, ix := range t.GlobalSecondaryIndexes {
		if ix.IndexStatus != "" && ix.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// ErrNoTransactions is a DynamoDB-compatible server without TransactWriteItems (dynalite,
// for one): registration, login, recovery and reviews cannot keep their rules on it.
var ErrNoTransactions = errors.New("this DynamoDB-compatible server does not support TransactWriteItems, which registration, recovery and reviews need (DynamoDB, DynamoDB Local, LocalStack, moto and minidyn do; dynalite does not)")

// CheckTransactions asks the server for a transaction that writes nothing (a condition
// check on an item that never exists), so a server that lacks them is named at start-up
// instead of failing the first registration with a 500. A transaction the server cancels
// for a conflict, or throttles, is tried again as every transaction is; one still busy
// after that shows the server runs transactions all the same.
func CheckTransactions(ctx context.Context, db *dynamodb.Client, name string) error {
	err := New(db, name).transact(ctx, "probe transactions", step{write: types.TransactWriteItem{
		ConditionCheck: &types.ConditionCheck{
			TableName:           aws.String(name),
			Key:                 probeKey(),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		},
	}})
	var unknown interface{ ErrorCode() string }
	switch {
	case errors.As(err, &unknown) && unknown.ErrorCode() == "UnknownOperationException":
		return ErrNoTransactions
	case err == nil || IsBusy(err):
		return nil
	}
	return fmt.Errorf("probe transactions on %s: %w", name, err)
}

// EnableTTL turns on expiry by expiresAt. It is its own step because minidyn lacks
// UpdateTimeToLive; nothing depends on it, since reads treat expired items as absent.
func EnableTTL(ctx context.Context, db *dynamodb.Client, name string) error {
	_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attrExpires),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("enable TTL on %s: %w", name, err)
	}
	return nil
}
