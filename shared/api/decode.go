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
// encoding/json lets through: a key given twice (where encoding/json keeps the last, and a
// proxy or a log may have read the first), keys that differ only in case, null for a
// non-pointer field, trailing data, and anything but an object.
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
	if msg := checkObjects(b); msg != "" {
		return BadRequest(msg)
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

// maxDepth bounds how deeply a body nests: no route takes more than a few levels.
const maxDepth = 16

// checkObjects walks the body's tokens and refuses a key given twice in one object, and
// nesting deeper than maxDepth; it says nothing of bodies that are not JSON, which the
// decoder refuses next.
func checkObjects(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	type level struct {
		keys     map[string]bool
		isObject bool
		wantKey  bool
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top >= 0 && stack[top].isObject {
					stack[top].wantKey = true
				}
				if len(stack) == maxDepth {
					return "请求体嵌套过深"
				}
				stack = append(stack, level{keys: map[string]bool{}, isObject: t == '{', wantKey: true})
			default:
				stack = stack[:top]
			}
		case string:
			if top >= 0 && stack[top].isObject && stack[top].wantKey {
				if stack[top].keys[t] {
					return "字段 " + t + " 重复出现"
				}
				stack[top].keys[t] = true
				stack[top].wantKey = false
				continue
			}
			if top >= 0 && stack[top].isObject {
				stack[top].wantKey = true
			}
		default:
			if top >= 0 && stack[top].isObject {
				stack[top].wantKey = true
			}
		}
	}
}
