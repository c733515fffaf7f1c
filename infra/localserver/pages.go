package localserver

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
)

// PageHeaders are the security headers the pages and the API's answers are served with:
// locally here, and deployed by CloudFront's response headers policy (template.yaml; a test
// holds the two equal). Scripts
// only from the site itself (Vite emits no inline script); styles may be inline because Vant
// and Element Plus set style attributes; pictures may be data: URLs (the slider, the photos).
var PageHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
		"base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
	"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
	"X-Content-Type-Options":    "nosniff",
	"X-Frame-Options":           "DENY",
	"Referrer-Policy":           "no-referrer",
	"Permissions-Policy":        "camera=(self), microphone=(), geolocation=()",
}

// ReviewerBase is where the reviewers' desk lives; its own index.html serves every path below.
const ReviewerBase = "/reviewer/"

// Pages serves the built pages of dir (web/dist) at / beside api: a GET or HEAD outside /v1/
// and /local/ is a file of dir, or else the index.html of the single-page app it belongs to,
// so that a reload or a mailed link (/reset-password?token=…) opens its page; the HTML is
// always asked for again (no-cache), the hashed assets kept for a year. Everything else
// goes to api untouched. The files are read through an os.Root, so no path leaves dir.
func Pages(dir string, api http.Handler) (http.Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	files := root.FS()
	for _, index := range []string{"index.html", strings.TrimPrefix(ReviewerBase, "/") + "index.html"} {
		if _, err := fs.Stat(files, index); err != nil {
			return nil, errors.New(dir + " has no " + index + ": build the pages (make web) first")
		}
	}
	static := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every answer, the API's too: the distribution adds the same to /v1/*.
		for k, v := range PageHeaders {
			w.Header().Set(k, v)
		}
		p := r.URL.Path
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) ||
			strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/local/") {
			api.ServeHTTP(w, r)
			return
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if info, err := fs.Stat(files, name); err == nil && !info.IsDir() && !strings.HasSuffix(name, "index.html") {
			if strings.HasPrefix(name, "assets/") {
				// Vite names every asset by its content's hash.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			static.ServeHTTP(w, r)
			return
		}
		index := "index.html"
		if p+"/" == ReviewerBase || strings.HasPrefix(p, ReviewerBase) {
			index = strings.TrimPrefix(ReviewerBase, "/") + "index.html"
		}
		if path.Ext(name) != "" && !strings.HasSuffix(name, ".html") {
			// A missing script or picture is a 404, not the HTML of a page.
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		page, err := fs.ReadFile(files, index)
		if err != nil {
			http.Error(w, "pages unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(page)
		}
	}), nil
}
