package idv

import (
	"context"
	"encoding/json"
	"errors"
	"io"
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

// service is the HTTPS provider in front of h. Its client gives up after timeout, 0 for the
// provider's own Timeout: only a service that never answers ("silent") is given a short
// one, since on a loaded machine a handshake alone may take long.
func service(t *testing.T, h http.HandlerFunc, timeout time.Duration) *HTTPS {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Timeout = timeout
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
	}, 0)
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
		"silent": func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets the server notice the client hang up; then it waits for that.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		},
	} {
		timeout := time.Duration(0)
		if name == "silent" {
			timeout = 100 * time.Millisecond
		}
		_, err := service(t, h, timeout).Verify(context.Background(), id)
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
