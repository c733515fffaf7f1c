package storetest

import (
	"strings"
	"testing"
)

func TestCheckRequestRefusesWhatDynamoDBRefuses(t *testing.T) {
	for _, c := range []struct {
		target, body, refusal string
	}{
		{"UpdateItem", `{"Key":{"pk":{"S":"A"},"sk":{"S":"B"}},"UpdateExpression":"SET #n = :v","ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":v":{"N":"1"}}}`, ""},
		{"Query", `{"KeyConditionExpression":"pk = :p AND begins_with(sk, :s)","ExpressionAttributeValues":{":p":{"S":"A"},":s":{"S":"B"}}}`, ""},
		{"Query", `{"KeyConditionExpression":"pk = :p AND sk IN (:a, :b)","ExpressionAttributeValues":{":p":{"S":"A"},":a":{"S":"B"},":b":{"S":"C"}}}`, "key condition"},
		{"UpdateItem", `{"UpdateExpression":"SET n = :v","ExpressionAttributeValues":{":v":{"N":"1"},":w":{"N":"2"}}}`, ":w, which no expression uses"},
		{"PutItem", `{"ConditionExpression":"attribute_not_exists(pk)","ExpressionAttributeNames":{"#x":"x"}}`, "#x, which no expression uses"},
		{"DeleteItem", `{"ConditionExpression":"codeHash = :h"}`, ":h is used but not defined"},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"t","Item":{"pk":{"S":"A"},"sk":{"S":"B"}}}},{"Update":{"TableName":"t","Key":{"pk":{"S":"A"},"sk":{"S":"B"}},"UpdateExpression":"SET n = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}}]}`, "one item twice"},
		{"TransactWriteItems", `{"TransactItems":[{"Update":{"TableName":"t","Key":{"pk":{"S":"A"},"sk":{"S":"B"}},"UpdateExpression":"SET n = :v","ExpressionAttributeValues":{":v":{"N":"1"},":u":{"N":"1"}}}}]}`, ":u, which no expression uses"},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"t","Item":{"pk":{"S":"A"},"sk":{"S":"B"}}}},{"Put":{"TableName":"t","Item":{"pk":{"S":"A"},"sk":{"S":"C"}}}}]}`, ""},
		{"BatchWriteItem", `{"RequestItems":{"t":[` + strings.Repeat(`{"DeleteRequest":{"Key":{"pk":{"S":"A"}}}},`, 25) + `{"DeleteRequest":{"Key":{"pk":{"S":"A"}}}}]}}`, "DynamoDB takes 25"},
	} {
		err := checkRequest(c.target, []byte(c.body))
		switch {
		case c.refusal == "" && err != nil:
			t.Errorf("%s %s: refused: %v", c.target, c.body, err)
		case c.refusal != "" && (err == nil || !strings.Contains(err.Error(), c.refusal)):
			t.Errorf("%s %s: %v, want a refusal naming %q", c.target, c.body, err, c.refusal)
		}
	}
}

func TestCheckRequestRefusesOverlapsEmptyKeysAndDuplicates(t *testing.T) {
	for _, c := range []struct {
		target, body, refusal string
	}{
		{"UpdateItem", `{"UpdateExpression":"SET #v.#st = :a, #v.#rr = :b ADD n :one","ExpressionAttributeNames":{"#v":"verification","#st":"status","#rr":"rejectReason"},"ExpressionAttributeValues":{":a":{"S":"x"},":b":{"S":"y"},":one":{"N":"1"}}}`, ""},
		{"UpdateItem", `{"UpdateExpression":"SET a = if_not_exists(a, :z), b = a + :one","ExpressionAttributeValues":{":z":{"N":"0"},":one":{"N":"1"}}}`, ""},
		{"UpdateItem", `{"UpdateExpression":"SET #v = :a, #v.#st = :b","ExpressionAttributeNames":{"#v":"verification","#st":"status"},"ExpressionAttributeValues":{":a":{"M":{}},":b":{"S":"y"}}}`, "overlap"},
		{"UpdateItem", `{"UpdateExpression":"SET lockedUntil = :z REMOVE lockedUntil","ExpressionAttributeValues":{":z":{"N":"0"}}}`, "overlap"},
		{"UpdateItem", `{"UpdateExpression":"SET gsi1pk = :q","ExpressionAttributeValues":{":q":{"S":""}}}`, "empty string"},
		{"PutItem", `{"Item":{"pk":{"S":"A"},"sk":{"S":"B"},"gsi1pk":{"S":""}}}`, "gsi1pk is an empty string"},
		{"BatchGetItem", `{"RequestItems":{"t":{"Keys":[{"pk":{"S":"A"},"sk":{"S":"B"}},{"pk":{"S":"A"},"sk":{"S":"B"}}]}}}`, "one item twice"},
		{"BatchGetItem", `{"RequestItems":{"t":{"Keys":[{"pk":{"S":"A"},"sk":{"S":"B"}},{"pk":{"S":"A"},"sk":{"S":"C"}}]}}}`, ""},
	} {
		err := checkRequest(c.target, []byte(c.body))
		switch {
		case c.refusal == "" && err != nil:
			t.Errorf("%s %s: refused: %v", c.target, c.body, err)
		case c.refusal != "" && (err == nil || !strings.Contains(err.Error(), c.refusal)):
			t.Errorf("%s %s: %v, want a refusal naming %q", c.target, c.body, err, c.refusal)
		}
	}
}
