package server

// Regression tests for the patches listed in PATCHES.md (applicant-accounts): each test states
// what DynamoDB does, and failed before its patch.

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

func patchS(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
func patchN(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberN{Value: v} }

// newSparseIndexTable makes a table keyed by pk/sk with a sparse index on gpk/gsk.
func newSparseIndexTable(t *testing.T) *dynamodb.Client {
	t.Helper()
	ts := httptest.NewServer(NewServer())
	t.Cleanup(ts.Close)
	cli := newTestDynamoClient(t, ts.URL)
	str := ddbtypes.ScalarAttributeTypeS
	_, err := cli.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String("t"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: str},
			{AttributeName: aws.String("sk"), AttributeType: str},
			{AttributeName: aws.String("gpk"), AttributeType: str},
			{AttributeName: aws.String("gsk"), AttributeType: str},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{{
			IndexName: aws.String("g"),
			KeySchema: []ddbtypes.KeySchemaElement{
				{AttributeName: aws.String("gpk"), KeyType: ddbtypes.KeyTypeHash},
				{AttributeName: aws.String("gsk"), KeyType: ddbtypes.KeyTypeRange},
			},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
		}},
	})
	require.NoError(t, err)
	return cli
}

func patchKey(pk string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"pk": patchS(pk), "sk": patchS("x")}
}

func queryIndex(t *testing.T, cli *dynamodb.Client, gpk string, forward bool) []string {
	t.Helper()
	out, err := cli.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String("t"),
		IndexName:                 aws.String("g"),
		KeyConditionExpression:    aws.String("gpk = :g"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":g": patchS(gpk)},
		ScanIndexForward:          aws.Bool(forward),
	})
	require.NoError(t, err)
	pks := []string{}
	for _, it := range out.Items {
		pks = append(pks, it["pk"].(*ddbtypes.AttributeValueMemberS).Value)
	}
	return pks
}

func getItem(t *testing.T, cli *dynamodb.Client, pk string) map[string]ddbtypes.AttributeValue {
	t.Helper()
	out, err := cli.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("t"), Key: patchKey(pk)})
	require.NoError(t, err)
	return out.Item
}

// DynamoDB: REMOVE deletes a top-level attribute. minidyn kept it (the evaluator dropped it
// from its environment, and only the environment's attributes were written back).
func TestPatchUpdateItemRemovesTopLevelAttributes(t *testing.T) {
	cli := newSparseIndexTable(t)
	ctx := context.Background()
	_, err := cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{
		"pk": patchS("a"), "sk": patchS("x"), "gone": patchS("1"), "alias": patchS("2"), "kept": patchS("3"),
	}})
	require.NoError(t, err)

	_, err = cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("t"), Key: patchKey("a"),
		UpdateExpression:          aws.String("SET kept = :v REMOVE gone, #al"),
		ExpressionAttributeNames:  map[string]string{"#al": "alias"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": patchS("4")},
	})
	require.NoError(t, err)

	item := getItem(t, cli, "a")
	require.NotContains(t, item, "gone")
	require.NotContains(t, item, "alias")
	require.Equal(t, patchS("4"), item["kept"])
}

// The same inside a transaction, which goes through the same update path.
func TestPatchTransactUpdateRemovesTopLevelAttributes(t *testing.T) {
	cli := newSparseIndexTable(t)
	ctx := context.Background()
	_, err := cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{
		"pk": patchS("a"), "sk": patchS("x"), "gone": patchN("1"),
	}})
	require.NoError(t, err)
	_, err = cli.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{{
		Update: &ddbtypes.Update{TableName: aws.String("t"), Key: patchKey("a"), UpdateExpression: aws.String("REMOVE gone")},
	}}})
	require.NoError(t, err)
	require.NotContains(t, getItem(t, cli, "a"), "gone")
}

// DynamoDB: an UpdateItem that gives an item its index keys puts it in the index, beside the
// items already there. minidyn overwrote the index's first entry with the new key, so earlier
// items dropped out of queries (or were returned in place of the new one).
func TestPatchUpdateItemAddingIndexKeysKeepsTheIndexWhole(t *testing.T) {
	cli := newSparseIndexTable(t)
	ctx := context.Background()
	_, err := cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{
		"pk": patchS("put"), "sk": patchS("x"), "gpk": patchS("G"), "gsk": patchS("2"),
	}})
	require.NoError(t, err)
	for _, id := range []string{"1", "3", "0"} {
		_, err := cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String("t"), Key: patchKey("upd" + id),
			UpdateExpression: aws.String("SET gpk = :g, gsk = :s, used = if_not_exists(used, :zero) + :one"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
				":g": patchS("G"), ":s": patchS(id), ":zero": patchN("0"), ":one": patchN("1"),
			},
		})
		require.NoError(t, err)
	}
	require.Equal(t, []string{"upd0", "upd1", "put", "upd3"}, queryIndex(t, cli, "G", true))
	require.Equal(t, []string{"upd3", "put", "upd1", "upd0"}, queryIndex(t, cli, "G", false))
}

// DynamoDB: an item whose index keys are removed (by UpdateItem REMOVE or by a PutItem
// without them) leaves a sparse index; one whose keys change moves within it. minidyn
// left the removed item listed under its old key.
func TestPatchItemsLeaveTheIndexWhenTheirKeysGo(t *testing.T) {
	cli := newSparseIndexTable(t)
	ctx := context.Background()
	for _, id := range []string{"1", "2", "3", "4"} {
		_, err := cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{
			"pk": patchS("p" + id), "sk": patchS("x"), "gpk": patchS("G"), "gsk": patchS(id),
		}})
		require.NoError(t, err)
	}
	_, err := cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("t"), Key: patchKey("p1"), UpdateExpression: aws.String("REMOVE gpk, gsk"),
	})
	require.NoError(t, err)
	_, err = cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{
		"pk": patchS("p2"), "sk": patchS("x"), "other": patchS("no index keys"),
	}})
	require.NoError(t, err)
	_, err = cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("t"), Key: patchKey("p3"), UpdateExpression: aws.String("SET gpk = :h"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":h": patchS("H")},
	})
	require.NoError(t, err)

	require.Equal(t, []string{"p4"}, queryIndex(t, cli, "G", true))
	require.Equal(t, []string{"p3"}, queryIndex(t, cli, "H", true))

	_, err = cli.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: patchKey("p4")})
	require.NoError(t, err)
	require.Empty(t, queryIndex(t, cli, "G", true))
	require.Equal(t, []string{"p3"}, queryIndex(t, cli, "H", false))
}

// DynamoDB: a cancelled TransactWriteItems changes nothing, and a transaction costs the same
// whatever the table holds. minidyn took a deep copy of the whole table before every
// transaction to roll back from (so a transaction slowed as the table grew); it now records
// only the items the transaction names. The rollback must still leave each of them, and the
// index, as they were.
func TestPatchACancelledTransactionLeavesItsItemsAndTheIndexAsTheyWere(t *testing.T) {
	cli := newSparseIndexTable(t)
	ctx := context.Background()
	for _, pk := range []string{"a", "c"} {
		_, err := cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{
			"pk": patchS(pk), "sk": patchS("x"), "gpk": patchS("G"), "gsk": patchS(pk), "v": patchN("1"),
		}})
		require.NoError(t, err)
	}
	_, err := cli.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		{Update: &ddbtypes.Update{ // moves a within the index, and changes it
			TableName: aws.String("t"), Key: patchKey("a"),
			UpdateExpression:          aws.String("SET gsk = :s, v = :two"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": patchS("z"), ":two": patchN("2")},
		}},
		{Put: &ddbtypes.Put{ // a new item, in the index
			TableName: aws.String("t"),
			Item:      map[string]ddbtypes.AttributeValue{"pk": patchS("b"), "sk": patchS("x"), "gpk": patchS("G"), "gsk": patchS("b")},
		}},
		{Delete: &ddbtypes.Delete{TableName: aws.String("t"), Key: patchKey("c")}},
		{ConditionCheck: &ddbtypes.ConditionCheck{ // fails: the whole transaction is cancelled
			TableName: aws.String("t"), Key: patchKey("nobody"), ConditionExpression: aws.String("attribute_exists(pk)"),
		}},
	}})
	var cancelled *ddbtypes.TransactionCanceledException
	require.ErrorAs(t, err, &cancelled)
	require.Equal(t, "1", getItem(t, cli, "a")["v"].(*ddbtypes.AttributeValueMemberN).Value)
	require.Empty(t, getItem(t, cli, "b"))
	require.NotEmpty(t, getItem(t, cli, "c"))
	require.Equal(t, []string{"a", "c"}, queryIndex(t, cli, "G", true))
}

// BenchmarkPatchTransactOnAFullTable: a two-item transaction against a table of 10,000 items
// (compare -bench with a table of 10: the patch makes them alike).
func BenchmarkPatchTransactOnAFullTable(b *testing.B) {
	for _, size := range []int{10, 10000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			c := NewClient()
			_, err := c.CreateTable(context.Background(), &CreateTableInput{
				TableName:            aws.String("t"),
				BillingMode:          ddbtypes.BillingModePayPerRequest,
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
			})
			require.NoError(b, err)
			for i := range size {
				_, err := c.PutItem(context.Background(), &PutItemInput{TableName: aws.String("t"),
					Item: map[string]*AttributeValue{"pk": {S: aws.String(fmt.Sprint("item", i))}, "v": {S: aws.String("some value")}}})
				require.NoError(b, err)
			}
			b.ResetTimer()
			for i := range b.N {
				_, err := c.TransactWriteItems(context.Background(), &TransactWriteItemsInput{TransactItems: []TransactWriteItem{
					{Put: &Put{TableName: aws.String("t"), Item: map[string]*AttributeValue{"pk": {S: aws.String(fmt.Sprint("new", i))}}}},
					{Update: &Update{TableName: aws.String("t"), Key: map[string]*AttributeValue{"pk": {S: aws.String("item0")}},
						UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: map[string]*AttributeValue{":v": {S: aws.String("x")}}}},
				}})
				require.NoError(b, err)
			}
		})
	}
}

// DynamoDB: a PutItem or DeleteItem whose condition fails, with
// ReturnValuesOnConditionCheckFailure ALL_OLD, carries the item as it is in the
// ConditionalCheckFailedException (none when there is no item, none without ALL_OLD), so a
// writer can tell what it met — its own earlier attempt after a lost reply, or another's.
func TestPatchPutAndDeleteReturnTheItemOnAFailedCondition(t *testing.T) {
	cli := newSparseIndexTable(t)
	ctx := context.Background()
	_, err := cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item: map[string]ddbtypes.AttributeValue{"pk": patchS("a"), "sk": patchS("x"), "owner": patchS("first")}})
	require.NoError(t, err)

	failed := func(err error) *ddbtypes.ConditionalCheckFailedException {
		t.Helper()
		var ccf *ddbtypes.ConditionalCheckFailedException
		require.ErrorAs(t, err, &ccf)
		return ccf
	}
	allOld := ddbtypes.ReturnValuesOnConditionCheckFailureAllOld

	_, err = cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item:                                map[string]ddbtypes.AttributeValue{"pk": patchS("a"), "sk": patchS("x"), "owner": patchS("second")},
		ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: allOld})
	require.Equal(t, patchS("first"), failed(err).Item["owner"])

	_, err = cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item:                map[string]ddbtypes.AttributeValue{"pk": patchS("a"), "sk": patchS("x")},
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	require.Nil(t, failed(err).Item, "without ALL_OLD")

	_, err = cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item:                                map[string]ddbtypes.AttributeValue{"pk": patchS("b"), "sk": patchS("x")},
		ConditionExpression:                 aws.String("attribute_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: allOld})
	require.Nil(t, failed(err).Item, "no item to return")

	_, err = cli.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: patchKey("a"),
		ConditionExpression:                 aws.String("#o = :o"),
		ExpressionAttributeNames:            map[string]string{"#o": "owner"},
		ExpressionAttributeValues:           map[string]ddbtypes.AttributeValue{":o": patchS("second")},
		ReturnValuesOnConditionCheckFailure: allOld})
	require.Equal(t, patchS("first"), failed(err).Item["owner"])

	_, err = cli.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: patchKey("b"),
		ConditionExpression:                 aws.String("attribute_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: allOld})
	require.Nil(t, failed(err).Item, "no item to return")

	// In a transaction, the cancelled item's reason carries it the same way.
	for _, w := range []ddbtypes.TransactWriteItem{
		{Put: &ddbtypes.Put{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{"pk": patchS("a"), "sk": patchS("x")},
			ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnValuesOnConditionCheckFailure: allOld}},
		{Delete: &ddbtypes.Delete{TableName: aws.String("t"), Key: patchKey("a"),
			ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnValuesOnConditionCheckFailure: allOld}},
	} {
		_, err = cli.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{w}})
		var cancelled *ddbtypes.TransactionCanceledException
		require.ErrorAs(t, err, &cancelled)
		require.Len(t, cancelled.CancellationReasons, 1)
		require.Equal(t, patchS("first"), cancelled.CancellationReasons[0].Item["owner"])
	}
}

// DynamoDB: a TransactWriteItems sent again with the same ClientRequestToken within ten
// minutes of the first is answered as the first without being made again (the SDK sends the
// same token on each of its retries, so a transaction whose reply was lost is not made
// twice); the same token with other items is IdempotentParameterMismatchException; after
// the window the token is new again; a cancelled transaction made nothing and is not
// remembered. minidyn ignored the token and made the transaction each time, so a retry met
// its own first attempt's writes and was cancelled.
func TestPatchATransactionSentAgainWithItsTokenIsMadeOnce(t *testing.T) {
	srv := NewServer()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	srv.client.now = func() time.Time { return now }
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cli := newTestDynamoClient(t, ts.URL)
	_, err := cli.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String("t"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	})
	require.NoError(t, err)

	// A new item and a counter: made twice, the put's condition fails; counted twice, 2.
	create := func(token, pk string) error {
		_, err := cli.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{
			ClientRequestToken: aws.String(token),
			TransactItems: []ddbtypes.TransactWriteItem{
				{Put: &ddbtypes.Put{
					TableName:           aws.String("t"),
					Item:                patchKey(pk),
					ConditionExpression: aws.String("attribute_not_exists(pk)"),
				}},
				{Update: &ddbtypes.Update{
					TableName:                 aws.String("t"),
					Key:                       patchKey("counter"),
					UpdateExpression:          aws.String("ADD n :one"),
					ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":one": patchN("1")},
				}},
			},
		})
		return err
	}
	count := func() string {
		return getItem(t, cli, "counter")["n"].(*ddbtypes.AttributeValueMemberN).Value
	}
	cancelled := func(err error) bool {
		var tce *ddbtypes.TransactionCanceledException
		return errors.As(err, &tce)
	}

	require.NoError(t, create("token-1", "a"))
	require.NoError(t, create("token-1", "a"), "the same token and items, sent again")
	require.Equal(t, "1", count())

	err = create("token-1", "b")
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	require.Equal(t, "IdempotentParameterMismatchException", api.ErrorCode())
	require.Nil(t, getItem(t, cli, "b"))

	require.True(t, cancelled(create("token-2", "a")), "another token is another transaction")
	require.Equal(t, "1", count())

	now = now.Add(10 * time.Minute)
	require.NoError(t, create("token-1", "a"), "within ten minutes of the first")
	now = now.Add(time.Second)
	require.True(t, cancelled(create("token-1", "a")), "past the window the token is new again")
	require.Equal(t, "1", count())

	// token-2 was cancelled: nothing made, nothing remembered.
	_, err = cli.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: patchKey("a")})
	require.NoError(t, err)
	require.NoError(t, create("token-2", "a"))
	require.Equal(t, "2", count())

	// Any token is a token: one that looks like nothing special is made like any other.
	require.NoError(t, create("\x00made", "c"))
	require.NotNil(t, getItem(t, cli, "c"))

	require.ErrorAs(t, create(strings.Repeat("x", 37), "d"), &api)
	require.Equal(t, "ValidationException", api.ErrorCode())
}

// DynamoDB: contains() and begins_with() of an attribute the item does not have evaluate to
// false, in a condition as in a filter; a set never added to contains nothing. minidyn
// answered a ValidationException ("contains is not supported for path=NULL").
func TestPatchAFunctionOfAMissingAttributeIsFalse(t *testing.T) {
	cli := newSparseIndexTable(t)
	ctx := context.Background()
	_, err := cli.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]ddbtypes.AttributeValue{"pk": patchS("a"), "sk": patchS("x")}})
	require.NoError(t, err)
	for _, cond := range []string{"contains(readers, :r)", "begins_with(tag, :r)"} {
		_, err = cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: patchKey("a"),
			UpdateExpression:          aws.String("SET done = :r"),
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":r": patchS("li")}})
		var ccf *ddbtypes.ConditionalCheckFailedException
		require.ErrorAs(t, err, &ccf, cond)
		_, err = cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: patchKey("a"),
			UpdateExpression:          aws.String("SET done = :r"),
			ConditionExpression:       aws.String("NOT " + cond),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":r": patchS("li")}})
		require.NoError(t, err, "NOT "+cond)
	}
	_, err = cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: patchKey("a"),
		UpdateExpression:          aws.String("ADD readers :set"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":set": &ddbtypes.AttributeValueMemberSS{Value: []string{"li"}}}})
	require.NoError(t, err)
	_, err = cli.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: patchKey("a"),
		UpdateExpression:          aws.String("SET done = :r"),
		ConditionExpression:       aws.String("contains(readers, :r)"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":r": patchS("li")}})
	require.NoError(t, err, "a set added to contains its element")
}
