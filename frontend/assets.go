package frontend

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"text/template"
	"time"
)

// asset is one file served under /static/, read once at start.
type asset struct {
	body  []byte
	gz    []byte // gzipped body, nil when it would not be smaller
	hash  string // first hex digits of its SHA-256: its version in URLs
	ctype string
}

// assets are the files under /static/: the stylesheet and everything in
// static/, the bundle from dist/ (which wins on a name clash), and the
// generated icons.
type assets struct {
	files   map[string]*asset
	version string // changes whenever any asset does: the service worker's cache name
	sw      []byte // the service worker, which names the assets it caches
}

// loadAssets reads the static and dist directories and draws the icons.
func loadAssets(static, dist fs.FS) (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	for _, dir := range []fs.FS{static, dist} {
		err := fs.WalkDir(dir, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(path.Base(name), ".") || strings.HasSuffix(name, ".map") {
				return err
			}
			b, err := fs.ReadFile(dir, name)
			if err != nil {
				return err
			}
			a.add(name, b)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// The one stylesheet is written in parts (static/css/*.css, each owned
	// by a side of the site) and served as one file, after app.css.
	if err := a.joinStylesheet(static); err != nil {
		return nil, err
	}
	for name, b := range icons() {
		a.add(name, b)
	}
	names := make([]string, 0, len(a.files))
	for name := range a.files {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		h.Write([]byte(name + a.files[name].hash))
	}
	a.version = hex.EncodeToString(h.Sum(nil))[:12]
	var err error
	a.sw, err = a.serviceWorker()
	return a, err
}

// etagOf is the version of a body: the first hex digits of its SHA-256.
func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

func (a *assets) add(name string, b []byte) {
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	f := &asset{body: b, hash: etagOf(b), ctype: ctype}
	if !strings.HasPrefix(ctype, "image/png") {
		var z bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		gz.Write(b)
		gz.Close()
		if z.Len() < len(b) {
			f.gz = z.Bytes()
		}
	}
	a.files[name] = f
}

// url returns the fingerprinted URL of an asset, or "" when there is none
// (app.js before the bundle was built).
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		return ""
	}
	return "/static/" + name + "?v=" + f.hash
}

// static serves an asset. With the current version in ?v= it may be cached
// for a year: a changed file gets a new URL. Other requests (an old page
// asking for an old version) get the current file, cached briefly.
func (p *Pages) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	f, ok := p.assets.files[name]
	if !ok {
		p.page(p.notFound)(w, r)
		return
	}
	cache := "public, max-age=300"
	if r.URL.Query().Get("v") == f.hash {
		cache = "public, max-age=31536000, immutable"
	}
	serveBytes(w, r, f.ctype, cache, f.hash, f.body, f.gz)
}

// serveBytes answers with body (or its gzipped form when the client takes
// it), tagged so that a revalidation costs a 304.
func serveBytes(w http.ResponseWriter, r *http.Request, ctype, cache, etag string, body, gz []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cache)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+etag+`"`)
	h.Add("Vary", "Accept-Encoding")
	if gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", `"`+etag+`-gz"`)
		body = gz
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// manifest makes the site installable. Its name and description follow the
// visitor's language, like the pages.
func (p *Pages) manifest(w http.ResponseWriter, r *http.Request) {
	lang, _ := negotiate(r)
	l := newLocale(lang)
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose,omitempty"`
	}
	m := struct {
		Name            string `json:"name"`
		ShortName       string `json:"short_name"`
		Description     string `json:"description"`
		Lang            string `json:"lang"`
		StartURL        string `json:"start_url"`
		Scope           string `json:"scope"`
		Display         string `json:"display"`
		BackgroundColor string `json:"background_color"`
		ThemeColor      string `json:"theme_color"`
		Icons           []icon `json:"icons"`
	}{
		Name: "Solidaire", ShortName: "Solidaire", Description: l.must("site.description"),
		Lang: l.lang, StartURL: "/", Scope: "/", Display: "standalone",
		BackgroundColor: colorBackground, ThemeColor: colorBrand,
		Icons: []icon{
			{Src: p.assets.url("icon-192.png"), Sizes: "192x192", Type: "image/png"},
			{Src: p.assets.url("icon-512.png"), Sizes: "512x512", Type: "image/png"},
			{Src: p.assets.url("icon-maskable-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "maskable"},
		},
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	w.Header().Set("Vary", "Accept-Language, Cookie")
	serveBytes(w, r, "application/manifest+json", "public, max-age=3600", etagOf(b), b, nil)
}

// serviceWorker serves /sw.js from the root, the only place from which it
// may control every page. It must never be cached long: browsers check it
// for updates, and a new version replaces the cached shell.
func (p *Pages) serviceWorker(w http.ResponseWriter, r *http.Request) {
	serveBytes(w, r, "text/javascript; charset=utf-8", "no-cache", etagOf(p.assets.sw), p.assets.sw, nil)
}

// serviceWorker renders templates/sw.js with the shell to precache.
func (a *assets) serviceWorker() ([]byte, error) {
	src, err := fs.ReadFile(templateFS(), "sw.js")
	if err != nil {
		return nil, err
	}
	t, err := template.New("sw.js").Parse(string(src))
	if err != nil {
		return nil, err
	}
	var shell []string
	for _, name := range []string{"app.css", "app.js", "icon-192.png"} {
		if u := a.url(name); u != "" {
			shell = append(shell, u)
		}
	}
	list, _ := json.Marshal(shell)
	var b bytes.Buffer
	err = t.Execute(&b, map[string]string{"Version": a.version, "Shell": string(list)})
	return b.Bytes(), err
}

// robots keeps crawlers off what is private by nature: the API, the
// voucher, order and share-link pages, whose URLs are bearer codes, and the
// purchase form's and payment page's addresses, and names the sitemap. A
// demo site is kept out of search engines altogether.
func (p *Pages) robots(w http.ResponseWriter, r *http.Request) {
	body := "User-agent: *\nDisallow: /api/\nDisallow: /v/\nDisallow: /V/\nDisallow: /s/\n" +
		"Disallow: /commande/\nDisallow: /demo/\nDisallow: /m/*/offrir\nDisallow: /p/*/acheter\nDisallow: /p/*/attente\n" +
		"Disallow: /billet/\nDisallow: /T/\nDisallow: /caisse\nDisallow: /commerce\nDisallow: /connexion\n" +
		"Disallow: /admin\nDisallow: /organisation\nDisallow: /mes-bons\n"
	if p.cfg.Demo {
		body = "User-agent: *\nDisallow: /\n"
	} else {
		body += "\nSitemap: " + p.baseURL(r) + "/sitemap.xml\n"
	}
	serveBytes(w, r, "text/plain; charset=utf-8", "public, max-age=3600", etagOf([]byte(body)), []byte(body), nil)
}

// joinStylesheet appends static/css/*.css, in name order, to app.css and
// drops the parts: the browser gets one stylesheet, without the sources'
// comments (they explain the rules to us, not to phones).
func (a *assets) joinStylesheet(static fs.FS) error {
	parts, err := fs.Glob(static, "css/*.css")
	if err != nil || len(parts) == 0 {
		return err
	}
	sort.Strings(parts)
	base := a.files["app.css"]
	if base == nil {
		return fmt.Errorf("frontend: static/app.css is missing")
	}
	css := stripComments(base.body)
	for _, p := range parts {
		css = append(css, '\n')
		css = append(css, stripComments(a.files[p].body)...)
		delete(a.files, p)
	}
	a.add("app.css", css)
	return nil
}

// stripComments drops a stylesheet's /* comments */ (and the blank lines
// they leave), leaving quoted strings as they are.
func stripComments(css []byte) []byte {
	out := make([]byte, 0, len(css))
	var quote byte
	for i := 0; i < len(css); i++ {
		c := css[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(css) {
				out = append(out, c, css[i+1])
				i++
				continue
			}
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '/' && i+1 < len(css) && css[i+1] == '*':
			end := bytes.Index(css[i+2:], []byte("*/"))
			if end < 0 {
				return out
			}
			i += end + 3
			for i+1 < len(css) && css[i+1] == '\n' && (len(out) == 0 || out[len(out)-1] == '\n') {
				i++
			}
			continue
		}
		out = append(out, c)
	}
	return out
}
