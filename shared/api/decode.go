package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// decodeStrict reads one JSON object into dst, a pointer to a struct. It refuses what
// encoding/json lets through: keys that differ only in case, null for a non-pointer field,
// trailing data, and anything but an object.
func decodeStrict(body []byte, dst any) *Error {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return BadRequest("请求体不能为空，应为JSON对象")
	}
	if b[0] != '{' {
		return BadRequest("请求体应为JSON对象")
	}
	if !utf8.Valid(b) {
		return BadRequest("请求体应为UTF-8编码的JSON")
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return BadRequest("请求体不是有效的JSON")
	}
	if msg := checkKeys(raw, reflect.TypeOf(dst).Elem(), ""); msg != "" {
		return BadRequest(msg)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return BadRequest("字段 " + te.Field + " 的类型不正确")
		}
		return BadRequest("请求体不是有效的JSON")
	}
	return nil
}

// fieldsOf maps the exact JSON names of a struct's fields to their types.
var fieldsCache sync.Map // reflect.Type → map[string]reflect.Type

func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldsCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldsCache.Store(t, m)
	return m
}

func checkKeys(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return "" // a type error; the decoder names it
		}
		fields := fieldsOf(t)
		for k, val := range obj {
			ft, known := fields[k]
			if !known {
				return "不支持的字段 " + path + k
			}
			if val == nil && ft.Kind() != reflect.Pointer && ft.Kind() != reflect.Interface {
				return "字段 " + path + k + " 不能为 null"
			}
			if msg := checkKeys(val, ft, path+k+"."); msg != "" {
				return msg
			}
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return ""
		}
		for _, el := range arr {
			if msg := checkKeys(el, t.Elem(), path); msg != "" {
				return msg
			}
		}
	}
	return ""
}
