package wechat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// FakeAPI is WeChat's server API as local runs and tests need it: an access token that a
// new fetch voids, and QR codes. Its Fetches counts the tokens handed out.
type FakeAPI struct {
	AppID, AppSecret string
	Now              func() time.Time

	mu      sync.Mutex
	current string
	Fetches int
	Scenes  []string // the scenes of the QR codes made, in order
}

func (f *FakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/cgi-bin/token":
		q := r.URL.Query()
		if q.Get("appid") != f.AppID || q.Get("secret") != f.AppSecret {
			_ = json.NewEncoder(w).Encode(map[string]any{"errcode": 40013, "errmsg": "invalid appid"})
			return
		}
		f.Fetches++
		f.current = fmt.Sprintf("fake-token-%d-%s", f.Fetches, f.Now().Format("150405"))
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": f.current, "expires_in": 7200})
	case "/cgi-bin/qrcode/create":
		if r.URL.Query().Get("access_token") != f.current || f.current == "" {
			_ = json.NewEncoder(w).Encode(map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
			return
		}
		var in struct {
			Expire int `json:"expire_seconds"`
			Info   struct {
				Scene struct {
					Str string `json:"scene_str"`
				} `json:"scene"`
			} `json:"action_info"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.Scenes = append(f.Scenes, in.Info.Scene.Str)
		_ = json.NewEncoder(w).Encode(map[string]any{"ticket": "ticket-" + in.Info.Scene.Str, "expire_seconds": in.Expire, "url": "http://weixin.qq.com/q/fake"})
	default:
		http.NotFound(w, r)
	}
}
