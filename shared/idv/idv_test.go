package idv

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSimulator(t *testing.T) {
	ok, _ := Simulator{}.Verify(context.Background(), Identity{Name: "张三"})
	fail, _ := Simulator{}.Verify(context.Background(), Identity{Name: "李四核验失败"})
	if !ok || fail {
		t.Fatalf("simulator: %v %v", ok, fail)
	}
}

func service(t *testing.T, h http.HandlerFunc) *HTTPS {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Timeout = 500 * time.Millisecond
	p, err := NewHTTPS(srv.URL, "key-1", client)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHTTPSAsksAndReads(t *testing.T) {
	var got Identity
	var auth string
	p := service(t, func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		_ = json.NewDecoder(r.Body).Decode(&got)
		result := "match"
		if got.Name != "张三" {
			result = "mismatch"
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"result": result})
	})
	id := Identity{IDType: "resident_id", IDNumber: "11010519491231002X", Name: "张三"}
	ok, err := p.Verify(context.Background(), id)
	if err != nil || !ok || got != id || auth != "Bearer key-1" {
		t.Fatalf("ok %v err %v sent %+v auth %q", ok, err, got, auth)
	}
	id.Name = "李四"
	if ok, err := p.Verify(context.Background(), id); err != nil || ok {
		t.Fatalf("mismatch: %v %v", ok, err)
	}
}

func TestHTTPSOutagesAreUnavailableAndNameNoOne(t *testing.T) {
	id := Identity{IDType: "resident_id", IDNumber: "11010519491231002X", Name: "张三"}
	for name, h := range map[string]http.HandlerFunc{
		"500":     func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down for "+id.IDNumber, 500) },
		"garbage": func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) },
		"unknown": func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"result":"maybe"}`)) },
		"slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		},
	} {
		_, err := service(t, h).Verify(context.Background(), id)
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), id.IDNumber) || strings.Contains(err.Error(), id.Name) {
			t.Errorf("%s: the error names the applicant: %v", name, err)
		}
	}
}

func TestNewHTTPSRefusesPlainHTTPAndNoKey(t *testing.T) {
	if _, err := NewHTTPS("http://idv.example/verify", "k", nil); err == nil {
		t.Fatal("http accepted")
	}
	if _, err := NewHTTPS("https://idv.example/verify", "", nil); err == nil {
		t.Fatal("no key accepted")
	}
}
