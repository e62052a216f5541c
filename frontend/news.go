package frontend

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// merchantByID finds a post's merchant (store.DB has it); pages that
// list posts of several merchants need it.
type merchantByID interface {
	MerchantByID(ctx context.Context, id string) (*market.Merchant, error)
}

// postData is a news post's own page.
type postData struct {
	postView
	Status *statusView
	Share  share
}

// newsPost is /m/{slug}/nouvelles/{id}: one post, its photo, a link to
// the merchant, and its share links and image. A hidden post, or one of
// another merchant, is 404.
func (p *Pages) newsPost(r *http.Request, l *locale) (*page, error) {
	if p.cfg.MerchantPages == nil {
		return nil, market.NotFound("Nouvelle")
	}
	m, post, photos, err := p.postOf(r, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	v := l.postView(post, m, photos)
	path := v.URL
	title := l.must("post.title", m.Name, v.When)
	d := &postData{postView: v, Status: l.openStatus(m),
		Share: newShare(p.baseURL(r)+path, title, describe(post.Body, title))}
	return &page{view: "post", Title: title, Description: describe(post.Body, title),
		Image: "/og/n/" + post.ID + ".png", ImageAlt: l.must("og.post.alt", m.Name), Path: path, Section: "merchants",
		Data: d, Feed: "/m/" + m.Slug + "/nouvelles.atom", FeedTitle: l.must("feed.merchant.title", m.Name)}, nil
}

// postOf returns the approved merchant with slug, its visible post id
// (ENotFound otherwise) and the page's photos.
func (p *Pages) postOf(r *http.Request, slug, id string) (*market.Merchant, *market.NewsPost, []*market.PagePhoto, error) {
	m, err := p.approvedMerchant(r, slug)
	if err != nil {
		return nil, nil, nil, err
	}
	post, err := p.cfg.MerchantPages.NewsPost(r.Context(), id)
	if err != nil {
		return nil, nil, nil, err
	}
	if post.MerchantID != m.ID || post.Hidden {
		return nil, nil, nil, market.NotFound("Nouvelle")
	}
	var photos []*market.PagePhoto
	if post.PhotoID != "" {
		mp, err := p.cfg.MerchantPages.MerchantPage(r.Context(), m.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		photos = mp.Photos
	}
	return m, post, photos, nil
}

// postImage serves /og/n/{id}.png, a post's share image: the merchant's
// name, its status today and the post's words.
func (p *Pages) postImage(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok || p.cfg.MerchantPages == nil {
		p.page(p.notFound)(w, r)
		return
	}
	lang, _ := negotiate(r)
	l := newLocale(lang)
	p.serveImage(w, r, "n/"+id+"/"+lang, func() (image.Image, error) {
		post, err := p.cfg.MerchantPages.NewsPost(r.Context(), id)
		if err != nil {
			return nil, err
		}
		m, err := p.postMerchant(r.Context(), post)
		if err != nil {
			return nil, err
		}
		return postCard(l, m, post)
	})
}

// postMerchant is the approved merchant of post, ENotFound otherwise.
func (p *Pages) postMerchant(ctx context.Context, post *market.NewsPost) (*market.Merchant, error) {
	by, ok := p.cfg.MerchantPages.(merchantByID)
	if !ok {
		by, ok = p.cfg.Catalogue.(merchantByID)
	}
	if !ok {
		return nil, market.NotFound("Commerce")
	}
	m, err := by.MerchantByID(ctx, post.MerchantID)
	if err != nil {
		return nil, err
	}
	if m.Status != market.MerchantApproved || post.Hidden {
		return nil, market.NotFound("Commerce")
	}
	return m, nil
}

// postCard draws a post's share image: the brand, the merchant's name and
// today's status, and the post's first lines.
func postCard(l *locale, m *market.Merchant, post *market.NewsPost) (image.Image, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	img := canvas(ogWidth, ogHeight, cream)
	fillHeart(img, 1050, 520, 300, blush)
	fillRect(img, image.Rect(0, 0, 24, ogHeight), 0, brand)
	brandMark(img, 80, 110, ink)
	const left, width = 80, 1000
	name, lines, size := fitText(fonts.bold, drawable(fonts.bold, m.Name), 64, 44, width, 1)
	y := 150 + int(size)
	text(img, name, ink, left, y, lines[0])
	if s := l.openStatus(m); s != nil {
		y += 56
		statusBadge(img, s, left, y)
	}
	body := face(fonts.regular, 36)
	y += 24
	for _, line := range wrap(body, drawable(fonts.regular, strings.Join(strings.Fields(post.Body), " ")), width, 6) {
		y += 50
		if y > ogHeight-40 {
			break
		}
		text(img, body, ink, left, y, line)
	}
	return img, nil
}

// Atom 1.0 (RFC 4287), written with encoding/xml.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Author    atomPerson `xml:"author"`
	Content   atomText   `xml:"content"`
}

// feedPosts is the number of posts a feed carries.
const feedPosts = 20

// tagURI is an Atom id: a tag: URI (RFC 4151) of the site's host, dated
// by when the thing identified was made, so it never changes.
func tagURI(base string, at time.Time, specific string) string {
	host := base
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	return "tag:" + host + "," + at.UTC().Format("2006-01-02") + ":" + specific
}

// merchantFeed is /m/{slug}/nouvelles.atom: a merchant's latest posts.
func (p *Pages) merchantFeed(w http.ResponseWriter, r *http.Request) {
	if p.cfg.MerchantPages == nil {
		p.page(p.notFound)(w, r)
		return
	}
	slug := r.PathValue("slug")
	lang, _ := negotiate(r)
	l := newLocale(lang)
	m, err := p.approvedMerchant(r, slug)
	var posts []*market.NewsPost
	if err == nil {
		posts, _, err = p.cfg.MerchantPages.MerchantPosts(r.Context(), m.ID, market.Page{Limit: feedPosts})
	}
	if err != nil {
		p.page(func(*http.Request, *locale) (*page, error) { return nil, err })(w, r)
		return
	}
	base := p.baseURL(r)
	f := &atomFeed{Lang: l.lang, ID: tagURI(base, m.CreatedAt, "m/"+m.Slug), Title: l.must("feed.merchant.title", m.Name),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/m/" + m.Slug + "/nouvelles.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "/m/" + m.Slug}},
		Author: atomPerson{Name: m.Name, URI: base + "/m/" + m.Slug}}
	p.writeFeed(w, r, l, f, m.CreatedAt, posts, func(*market.NewsPost) *market.Merchant { return m })
}

// cityFeed is /villes/{city}/nouvelles.atom: the latest posts of a city's
// merchants, the city by its key ("montreal") or its name.
func (p *Pages) cityFeed(w http.ResponseWriter, r *http.Request) {
	if p.cfg.MerchantPages == nil {
		p.page(p.notFound)(w, r)
		return
	}
	key := market.CityKey(r.PathValue("city"))
	lang, _ := negotiate(r)
	l := newLocale(lang)
	fail := func(err error) { p.page(func(*http.Request, *locale) (*page, error) { return nil, err })(w, r) }
	cities, err := p.cfg.Catalogue.Cities(r.Context())
	if err != nil {
		fail(err)
		return
	}
	name := ""
	for _, c := range cities {
		if market.CityKey(c) == key {
			name = c
		}
	}
	if name == "" || key == "" {
		fail(market.NotFound("Ville"))
		return
	}
	posts, err := p.cfg.MerchantPages.CityPosts(r.Context(), key, feedPosts)
	if err != nil {
		fail(err)
		return
	}
	merchants, err := p.postMerchants(r.Context(), posts)
	if err != nil {
		fail(err)
		return
	}
	base := p.baseURL(r)
	self := base + "/villes/" + key + "/nouvelles.atom"
	f := &atomFeed{Lang: l.lang, ID: tagURI(base, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), "villes/"+key),
		Title: l.must("feed.city.title", name),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: base + "/?" + url.Values{"city": {name}}.Encode()}},
		Author: atomPerson{Name: "Solidaire", URI: base + "/"}}
	p.writeFeed(w, r, l, f, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), posts, func(post *market.NewsPost) *market.Merchant {
		return merchants[post.MerchantID]
	})
}

// postMerchants looks up the approved merchants of posts, by id.
func (p *Pages) postMerchants(ctx context.Context, posts []*market.NewsPost) (map[string]*market.Merchant, error) {
	out := map[string]*market.Merchant{}
	for _, post := range posts {
		if _, done := out[post.MerchantID]; done {
			continue
		}
		m, err := p.postMerchant(ctx, post)
		if market.ErrorCode(err) == market.ENotFound {
			out[post.MerchantID] = nil
			continue
		}
		if err != nil {
			return nil, err
		}
		out[post.MerchantID] = m
	}
	return out, nil
}

// writeFeed adds posts (each with its merchant, skipped when nil) to f and
// sends it; the feed's updated is its newest post's, else since.
func (p *Pages) writeFeed(w http.ResponseWriter, r *http.Request, l *locale, f *atomFeed, since time.Time,
	posts []*market.NewsPost, merchantOf func(*market.NewsPost) *market.Merchant) {
	base := p.baseURL(r)
	updated := since
	for _, post := range posts {
		m := merchantOf(post)
		if m == nil || post.Hidden {
			continue
		}
		if post.CreatedAt.After(updated) {
			updated = post.CreatedAt
		}
		at := post.CreatedAt.UTC().Format(time.RFC3339)
		f.Entries = append(f.Entries, atomEntry{
			ID:    tagURI(base, post.CreatedAt, "post/"+post.ID),
			Title: l.must("feed.entry.title", m.Name, firstWords(post.Body, 80)), Updated: at, Published: at,
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: base + "/m/" + m.Slug + "/nouvelles/" + post.ID}},
			Author:  atomPerson{Name: m.Name, URI: base + "/m/" + m.Slug},
			Content: atomText{Type: "text", Body: post.Body},
		})
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		p.page(func(*http.Request, *locale) (*page, error) { return nil, err })(w, r)
		return
	}
	b.WriteString("\n")
	w.Header().Set("Vary", "Accept-Language, Cookie")
	serveBytes(w, r, "application/atom+xml; charset=utf-8", "public, max-age=300", etagOf(b.Bytes()), b.Bytes(), nil)
}

// firstWords is the start of s, cut at a word within n characters.
func firstWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n - 1
	for cut > n/2 && r[cut] != ' ' {
		cut--
	}
	return strings.TrimSpace(string(r[:cut])) + "…"
}

// homePosts are the home page's latest news of merchants, empty without
// MerchantPages.
func (p *Pages) homePosts(ctx context.Context, l *locale) ([]postView, error) {
	if p.cfg.MerchantPages == nil {
		return nil, nil
	}
	posts, err := p.cfg.MerchantPages.LatestPosts(ctx, postsOnPage)
	if err != nil {
		return nil, err
	}
	merchants, err := p.postMerchants(ctx, posts)
	if err != nil {
		return nil, err
	}
	var out []postView
	for _, post := range posts {
		if m := merchants[post.MerchantID]; m != nil {
			v := l.postView(post, m, nil)
			v.Named = true
			out = append(out, v)
		}
	}
	return out, nil
}
