package frontend

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// page is what a handler hands to the layout: the page's own data and what
// the head of the document says about it.
type page struct {
	view        string // template file without .html
	status      int    // 200 when 0
	Title       string // <title>, og:title, twitter:title
	Description string // meta description, og:description, twitter:description
	Image       string // share image path ("/og/m/x.png"); the site icon when empty
	ImageAlt    string
	Path        string // canonical path, without the language
	Section     string // nav entry to mark as current: "merchants", "campaigns"
	NoIndex     bool   // keep search engines away (404, errors)
	Refresh     bool   // reload every few seconds without JavaScript (an order being paid)
	Data        any    // the view's own data
	// JSONLD is the page's schema.org data (jsonld.go), written in the
	// head by templates/jsonld.html; "" for none.
	JSONLD    template.JS
	Feed      string // path of the page's Atom feed, linked in the head; "" for none
	FeedTitle string

	// private marks a page whose URL is a bearer secret (an order's token,
	// a voucher's code) or that shows what a buyer typed: never stored by
	// a cache, never sent on in a Referer.
	private bool
	// redirect, when set, answers 303 See Other to it instead of a page:
	// the end of a form's POST.
	redirect string
	// payment marks a page whose form may be sent on to the payment
	// provider's hosted page, which the policy must then allow.
	payment bool
	// retryAfter, in seconds, is sent as Retry-After: when to try again
	// a page that failed because a dependency is down.
	retryAfter int
	// cookies are set with the answer, a page or a redirect: the wallet's
	// session opened or ended.
	cookies []*http.Cookie
}

// layout is the data every template receives: the page and what the layout
// adds around it.
type layout struct {
	*page
	Lang      string
	OGLocale  string
	Canonical string // absolute URL of the page
	ImageURL  string // absolute URL of the share image
	ImageSize [2]int // width and height of the share image
	Switch    langSwitch
	CSS       string // stylesheet URL, fingerprinted
	JS        string // bundle URL, fingerprinted; empty when no bundle was built
	Icon      string
	TouchIcon string
	Demo      bool
}

// langSwitch is the link to the same page in the other language.
type langSwitch struct {
	URL   string
	Lang  string
	Label string
}

// views are the parsed templates of one language, by view name.
type views map[string]*template.Template

// viewNames lists the templates under templates/ that are whole pages.
var viewNames = []string{"home", "merchant", "event", "campaign", "notfound", "error", "message",
	"demo", "order", "voucher", "programme"}

// parseViews parses every view once per language: the template functions
// are bound to their language, so templates write {{t "key"}} and never
// carry the locale around.
func parseViews() (map[string]views, error) {
	all := map[string]views{}
	for _, lang := range langs {
		all[lang] = views{}
		for _, name := range viewNames {
			t, err := template.New("layout.html").Funcs(funcs(newLocale(lang))).
				ParseFS(templateFS(), "layout.html", "partials.html", "jsonld.html", "support.html", name+".html")
			if err != nil {
				return nil, err
			}
			all[lang][name] = t
		}
	}
	return all, nil
}

// funcs are the template functions, bound to l.
func funcs(l *locale) template.FuncMap {
	return template.FuncMap{
		"t":        l.T,
		"tf":       l.Tf,
		"plural":   l.Plural,
		"number":   l.Number,
		"money":    l.Money,
		"date":     l.Date,
		"day":      l.Day,
		"category": l.Category,
		"at":       l.AtVenue,
		"upfirst":  upfirst,
		"isodate":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"paras":    paragraphs,
		"typo":     typo,
		"percent":  percent,
		"seats":    seatsLeft,
		"minprice": minPrice,
		"upcoming": func(e *market.Event) bool { return e.StartsAt.After(l.now()) },
		"grouped":  market.GroupCode,
		"fold":     fold,
		"status":   l.openStatus,
		"photourl": market.PhotoURL,
		"srcset":   market.PhotoSrcset,
		"photoh":   photoHeight,
		"inc":      func(i int) int { return i + 1 },
	}
}

// paragraphs splits a description on blank lines, the separator the
// catalogue uses, so that templates render <p> elements without raw HTML.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// percent is how much of goal raised is, from 0 to 100.
func percent(raised, goal int64) int64 {
	if goal <= 0 || raised <= 0 {
		return 0
	}
	return min(raised*100/goal, 100)
}

// seatsLeft is the number of seats still for sale at an event.
func seatsLeft(e *market.Event) int64 {
	var n int64
	for _, t := range e.TicketTypes {
		n += int64(t.SeatsLeft)
	}
	return n
}

// minPrice is the price of an event's cheapest ticket, 0 when none is sold.
func minPrice(e *market.Event) int64 {
	var p int64 = -1
	for _, t := range e.TicketTypes {
		if p < 0 || t.Price < p {
			p = t.Price
		}
	}
	return max(p, 0)
}

// pageFunc builds a page for a request, in the language of l. ENotFound
// becomes the 404 page; any other error the 500 page.
type pageFunc func(r *http.Request, l *locale) (*page, error)

// page adapts a pageFunc to http: it settles the language, remembers an
// explicit choice in a cookie, and renders the page or the error page.
func (p *Pages) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang, explicit := negotiate(r)
		if explicit {
			// SameSite=Lax: the cookie still comes along when a visitor
			// follows a shared link from another site.
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/",
				MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode,
				Secure: strings.HasPrefix(p.baseURL(r), "https:")})
		}
		l := newLocale(lang)
		pg, err := fn(r, l)
		if err != nil {
			pg = p.errorPage(r, l, err)
		}
		for _, c := range pg.cookies {
			http.SetCookie(w, c)
		}
		if pg.redirect != "" {
			w.Header().Set("Cache-Control", "no-store")
			if pg.private {
				w.Header().Set("Referrer-Policy", "no-referrer")
			}
			http.Redirect(w, r, pg.redirect, http.StatusSeeOther)
			return
		}
		p.render(w, r, l, pg)
	}
}

// errorPage is the page shown for err: the 404 page for ENotFound, the 503
// page (see unavailablePage) for EUnavailable, the 500 page for anything
// else; the detail of a failure is logged and never shown.
func (p *Pages) errorPage(r *http.Request, l *locale, err error) *page {
	switch market.ErrorCode(err) {
	case market.ENotFound:
		pg, _ := p.notFound(r, l)
		return pg
	case market.EForbidden:
		return messagePage(http.StatusForbidden, l, "forbidden")
	}
	// A visitor who left before the answer is no failure worth a log line.
	if !errors.Is(err, context.Canceled) {
		p.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "error", err)
	}
	if market.ErrorCode(err) == market.EUnavailable {
		return unavailablePage(r, l)
	}
	return &page{view: "error", status: http.StatusInternalServerError,
		Title: l.must("error.title"), Description: l.must("site.description"), NoIndex: true}
}

// retryUnavailable is the Retry-After of the 503 page, in seconds: the API
// answers EUnavailable with the same delay.
const retryUnavailable = 5

// unavailablePage is the 503 page: the site cannot reach its database (or
// another dependency) for now. It reassures about what was bought, asks
// for another try in a moment, and links to the same page for it. Caches
// keep it nowhere: the next visit must try again.
func unavailablePage(r *http.Request, l *locale) *page {
	pg := messagePage(http.StatusServiceUnavailable, l, "unavailable")
	pg.retryAfter = retryUnavailable
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		d := pg.Data.(*messageData)
		d.Link, d.Label = r.URL.RequestURI(), l.must("unavailable.retry")
	}
	return pg
}

// notFound is the friendly 404 page. Under /s/, where the API hands
// unknown and disabled share links, it says so and leads to the campaigns.
func (p *Pages) notFound(r *http.Request, l *locale) (*page, error) {
	if strings.HasPrefix(r.URL.Path, "/s/") {
		return shareLinkNotFound(l), nil
	}
	return &page{view: "notfound", status: http.StatusNotFound, Title: l.must("notfound.title"),
		Description: l.must("site.description"), Path: r.URL.EscapedPath(), NoIndex: true}, nil
}

// messageData is a page that only says something: a heading, a text and a
// way on.
type messageData struct {
	Heading string
	Text    string
	Link    string
	Label   string
}

// messagePage is a message page with the status, whose texts are the
// messages key.title, key.heading and key.text, with a link home.
func messagePage(status int, l *locale, key string) *page {
	return &page{view: "message", status: status, Title: l.must(key + ".title"),
		Description: l.must("site.description"), NoIndex: true, private: true,
		Data: &messageData{Heading: l.must(key + ".heading"), Text: l.must(key + ".text"),
			Link: "/", Label: l.must("notfound.home")}}
}

// render writes pg inside the layout. The whole page is rendered before a
// byte is sent, so a failing template gives a clean 500, not half a page.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, l *locale, pg *page) {
	base := p.baseURL(r)
	v := &layout{page: pg, Lang: l.lang, OGLocale: l.ogLocale(),
		Canonical: base + pg.Path, Switch: switchLink(r, l),
		CSS: p.assets.url("app.css"), JS: p.assets.url("app.js"),
		Icon: p.assets.url("icon-192.png"), TouchIcon: p.assets.url("apple-touch-icon.png"),
		Demo: p.cfg.Demo}
	if pg.Image != "" {
		v.ImageURL, v.ImageSize = base+pg.Image, [2]int{ogWidth, ogHeight}
		if l.lang != langFR {
			v.ImageURL += "?lang=" + l.lang
		}
	} else {
		v.ImageURL, v.ImageSize = base+p.assets.url("icon-512.png"), [2]int{512, 512}
	}
	if pg.ImageAlt == "" {
		pg.ImageAlt = pg.Title
	}
	if p.cfg.Demo {
		pg.NoIndex = true
	}
	var buf bytes.Buffer
	if err := p.views[l.lang][pg.view].Execute(&buf, v); err != nil {
		p.log.ErrorContext(r.Context(), "page template failed", "view", pg.view, "error", err)
		http.Error(w, l.must("error.title"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", l.lang)
	// The same URL answers in either language and carries live counters and
	// seats: caches must revalidate and keep languages apart.
	h.Set("Vary", "Accept-Language, Cookie, Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	setSecurityHeaders(h)
	if pg.private {
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
	}
	if pg.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(pg.retryAfter))
	}
	if pg.payment && !p.cfg.DemoPayments {
		h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"),
			"form-action 'self'", "form-action 'self' "+stripeCheckoutOrigin, 1))
	}
	status := pg.status
	if status == 0 {
		status = http.StatusOK
	}
	writeMaybeGzip(w, r, status, buf.Bytes())
}

// stripeCheckoutOrigin serves Stripe's hosted payment page. The purchase
// form without JavaScript posts here and is redirected there, and browsers
// hold a form's redirects to the form-action policy too.
const stripeCheckoutOrigin = "https://checkout.stripe.com"

// setSecurityHeaders forbids inline scripts and styles, framing and
// sniffing: the pages need none of them.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "+
		"script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

// writeMaybeGzip sends body, gzipped when the client takes it and it is
// worth it: on a slow phone network a page shrinks to a quarter.
func writeMaybeGzip(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if len(body) > 1024 && acceptsGzip(r) {
		var z bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		gz.Write(body)
		gz.Close()
		w.Header().Set("Content-Encoding", "gzip")
		body = z.Bytes()
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// switchLink is the link to the page r shows in the other language, its
// query kept: a visitor switching in the middle of a search keeps it.
func switchLink(r *http.Request, l *locale) langSwitch {
	other := langEN
	if l.lang == langEN {
		other = langFR
	}
	q := r.URL.Query()
	q.Set("lang", other)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return langSwitch{URL: u.String(), Lang: other, Label: l.must("lang.switch")}
}

// share is what the share button and its links need.
type share struct {
	URL      string // absolute URL shared
	Title    string
	Text     string
	WhatsApp string
	Facebook string
	X        string
	Email    string
	// Bluesky and Threads are their compose dialogs with the text and the
	// link; Mastodon the share dialog of mastodon.social, which the share
	// island points at the visitor's own instance (Post is what it sends).
	Bluesky  string
	Threads  string
	Mastodon string
	Post     string
}

// newShare builds the share links of a page. They are plain links, so they
// work without JavaScript; the share island adds the Web Share API and a
// copy button on top.
func newShare(link, title, text string) share {
	q := url.QueryEscape
	// mailto wants %20, not +, for spaces.
	mail := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return share{URL: link, Title: title, Text: text,
		WhatsApp: "https://wa.me/?text=" + q(text+" "+link),
		Facebook: "https://www.facebook.com/sharer/sharer.php?u=" + q(link),
		X:        "https://x.com/intent/post?text=" + q(text) + "&url=" + q(link),
		Email:    "mailto:?subject=" + mail(title) + "&body=" + mail(text+"\n\n"+link),
		Bluesky:  "https://bsky.app/intent/compose?text=" + q(text+" "+link),
		Threads:  "https://www.threads.net/intent/post?text=" + q(text+" "+link),
		Mastodon: "https://mastodon.social/share?text=" + q(text+" "+link),
		Post:     text + " " + link,
	}
}
