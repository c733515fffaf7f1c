package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/schemas"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var avType = reflect.TypeOf((*types.AttributeValue)(nil)).Elem()
var timeType = reflect.TypeOf(time.Time{})

// dup writes each field under its name and its lower-case twin too, as some of DynamoDB's
// answers spell them (an error's message), so that the reader's choice is exercised.
var dup bool

// av is a map holding every kind of attribute value, nested depth times.
func av(depth int) types.AttributeValue {
	m := map[string]types.AttributeValue{
		"s": &types.AttributeValueMemberS{Value: "x"}, "n": &types.AttributeValueMemberN{Value: "1"},
		"b": &types.AttributeValueMemberB{Value: []byte("b")}, "ss": &types.AttributeValueMemberSS{Value: []string{"a"}},
		"ns": &types.AttributeValueMemberNS{Value: []string{"2"}}, "bs": &types.AttributeValueMemberBS{Value: [][]byte{[]byte("c")}},
		"null": &types.AttributeValueMemberNULL{Value: true}, "bool": &types.AttributeValueMemberBOOL{Value: true},
	}
	if depth > 0 {
		m["l"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{av(depth - 1)}}
		m["m"] = av(depth - 1)
	}
	return &types.AttributeValueMemberM{Value: m}
}

// fill sets every exported field of v, through pointers, slices and maps (one element each).
func fill(v reflect.Value, depth int) {
	if depth > 12 {
		return
	}
	t := v.Type()
	switch {
	case t == avType:
		v.Set(reflect.ValueOf(av(1)))
		return
	case t == timeType:
		v.Set(reflect.ValueOf(time.Unix(1700000000, 0).UTC()))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" || f.Name == "ErrorCodeOverride" {
				continue
			}
			fill(v.Field(i), depth+1)
		}
	case reflect.String:
		v.SetString("s" + t.Name())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("bytes"))
			return
		}
		s := reflect.MakeSlice(t, 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(t)
		k := reflect.New(t.Key()).Elem()
		k.SetString("k")
		e := reflect.New(t.Elem()).Elem()
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Interface:
		panic("unhandled interface " + t.String())
	}
}

// toJSON renders a Go value of the SDK's as DynamoDB's JSON 1.0 would carry it.
func toJSON(v reflect.Value) any {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		if strings.HasPrefix(v.Elem().Type().Name(), "AttributeValueMember") {
			name := strings.TrimPrefix(v.Elem().Type().Name(), "AttributeValueMember")
			return map[string]any{name: toJSON(v.Elem().FieldByName("Value"))}
		}
		v = v.Elem()
	}
	t := v.Type()
	if t == timeType {
		return float64(v.Interface().(time.Time).Unix())
	}
	switch t.Kind() {
	case reflect.Struct:
		o := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" || f.Name == "ErrorCodeOverride" {
				continue
			}
			j := toJSON(v.Field(i))
			if j == nil {
				continue
			}
			o[f.Name] = j
			if f.Name == "Message" || dup {
				o[strings.ToLower(f.Name[:1])+f.Name[1:]] = j
			}
		}
		return o
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		a := []any{}
		for i := 0; i < v.Len(); i++ {
			a = append(a, toJSON(v.Index(i)))
		}
		return a
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		o := map[string]any{}
		for _, k := range v.MapKeys() {
			o[k.String()] = toJSON(v.MapIndex(k))
		}
		return o
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int32, reflect.Int64, reflect.Int:
		return float64(v.Int())
	case reflect.Float64:
		return v.Float()
	}
	panic("unhandled " + t.String())
}

// norm is x as JSON would read it back.
func norm(x any) any {
	b, _ := json.Marshal(x)
	var y any
	_ = json.Unmarshal(b, &y)
	return y
}

// hotCall is one hot operation, with an empty input and output to fill.
type hotCall struct {
	name string
	in   any
	out  any
	call func(context.Context, *dynamodb.Client, any) (any, error)
}

func hotCalls() []hotCall {
	return []hotCall{
		{"GetItem", &dynamodb.GetItemInput{}, &dynamodb.GetItemOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.GetItem(c, i.(*dynamodb.GetItemInput))
		}},
		{"PutItem", &dynamodb.PutItemInput{}, &dynamodb.PutItemOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.PutItem(c, i.(*dynamodb.PutItemInput))
		}},
		{"DeleteItem", &dynamodb.DeleteItemInput{}, &dynamodb.DeleteItemOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.DeleteItem(c, i.(*dynamodb.DeleteItemInput))
		}},
		{"UpdateItem", &dynamodb.UpdateItemInput{}, &dynamodb.UpdateItemOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.UpdateItem(c, i.(*dynamodb.UpdateItemInput))
		}},
		{"Query", &dynamodb.QueryInput{}, &dynamodb.QueryOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.Query(c, i.(*dynamodb.QueryInput))
		}},
		{"BatchGetItem", &dynamodb.BatchGetItemInput{}, &dynamodb.BatchGetItemOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.BatchGetItem(c, i.(*dynamodb.BatchGetItemInput))
		}},
		{"BatchWriteItem", &dynamodb.BatchWriteItemInput{}, &dynamodb.BatchWriteItemOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.BatchWriteItem(c, i.(*dynamodb.BatchWriteItemInput))
		}},
		{"TransactWriteItems", &dynamodb.TransactWriteItemsInput{}, &dynamodb.TransactWriteItemsOutput{}, func(c context.Context, d *dynamodb.Client, i any) (any, error) {
			return d.TransactWriteItems(c, i.(*dynamodb.TransactWriteItemsInput))
		}},
	}
}

// hotOperationsRoundTripBeforeComplete sends each hot operation with every field of its
// input set, and reads an answer with every field of its output set, then every error of the
// registry through GetItem, all before any cold operation: what goes out and what comes back
// is what was put in, and Complete has not run. A schema left to Complete that a hot
// operation needs would drop a field (a nil case of the generated deserializers never
// matches) or fail.
func hotOperationsRoundTripBeforeComplete(t reporter) {
	if schemas.CreateTableInput != nil {
		t.Fatalf("Complete already ran")
	}
	var mu sync.Mutex
	var reqBody, respBody []byte
	var status int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		reqBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_, _ = w.Write(respBody)
	}))
	defer srv.Close()
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}, HTTPClient: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		RetryMaxAttempts: 3})
	ctx := context.Background()
	for _, o := range hotCalls() {
		fill(reflect.ValueOf(o.in).Elem(), 0)
		fill(reflect.ValueOf(o.out).Elem(), 0)
		dup = true
		b, _ := json.Marshal(toJSON(reflect.ValueOf(o.out)))
		dup = false
		mu.Lock()
		respBody, status = b, 200
		mu.Unlock()
		got, err := o.call(ctx, db, o.in)
		if err != nil {
			t.Errorf("%s: %v", o.name, err)
			continue
		}
		var sent any
		_ = json.Unmarshal(reqBody, &sent)
		if want := norm(toJSON(reflect.ValueOf(o.in))); !reflect.DeepEqual(sent, want) {
			t.Errorf("%s input differs:\n got %s\nwant %s", o.name, js(sent), js(want))
		}
		gv := reflect.ValueOf(got).Elem()
		gv.FieldByName("ResultMetadata").Set(reflect.Zero(gv.FieldByName("ResultMetadata").Type()))
		if gj, wj := norm(toJSON(gv)), norm(toJSON(reflect.ValueOf(o.out))); !reflect.DeepEqual(gj, wj) {
			t.Errorf("%s output differs:\n got %s\nwant %s", o.name, js(gj), js(wj))
		}
	}
	// every modeled error, through a hot operation
	var names []string
	for id := range dynamodb.TypeRegistry.Entries {
		names = append(names, id)
	}
	sort.Strings(names)
	for _, id := range names {
		e := dynamodb.TypeRegistry.Entries[id]
		want := e.New()
		fill(reflect.ValueOf(want).Elem(), 0)
		dup = true
		body := toJSON(reflect.ValueOf(want)).(map[string]any)
		dup = false
		body["__type"] = "com.amazonaws.dynamodb.v20120810#" + strings.TrimPrefix(id, "com.amazonaws.dynamodb#")
		b, _ := json.Marshal(body)
		mu.Lock()
		respBody, status = b, 400
		mu.Unlock()
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: "v"}}})
		target := reflect.New(reflect.TypeOf(want))
		if !errors.As(err, target.Interface()) {
			t.Errorf("%s: got %v", id, err)
			continue
		}
		if gj, wj := norm(toJSON(target.Elem())), norm(toJSON(reflect.ValueOf(want))); !reflect.DeepEqual(gj, wj) {
			t.Errorf("%s error differs:\n got %s\nwant %s", id, js(gj), js(wj))
		}
	}
	if schemas.CreateTableInput != nil {
		t.Fatalf("a hot operation ran Complete")
	}
}

func js(x any) string { b, _ := json.Marshal(x); return string(b) }
