package social

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/solidaire-app/solidaire/market"
)

// Feeds: any RSS 2.0, RSS 1.0 (RDF) or Atom feed, read with a conditional
// GET (the ETag and Last-Modified of the last answer are kept in the
// source's cursor, with the newest entry time seen, as JSON). Kept: entries
// newer than that time (or undated) whose title, summary or content carries
// one of the hashtags as #tag, or that have one as a category. Post.ID is
// the entry's guid (RSS) or id (Atom), else its link; the author is the
// entry's author, else the feed's title.
//
// Gone reports nothing for a feed: a feed is a window on its latest
// entries, and an entry that slid out of it was not deleted.

type feedCursor struct {
	ETag     string `json:"etag,omitempty"`
	Modified string `json:"modified,omitempty"`
	Newest   string `json:"newest,omitempty"`
}

type feedDoc struct {
	XMLName xml.Name
	Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	// RSS 2.0
	Channel *struct {
		Title    string    `xml:"title"`
		Language string    `xml:"language"`
		Items    []rssItem `xml:"item"`
	} `xml:"channel"`
	// RSS 1.0: items beside the channel
	Items []rssItem `xml:"item"`
	// Atom
	Title   atomText    `xml:"title"`
	Entries []atomEntry `xml:"entry"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Links       []string `xml:"link"`
	GUID        string   `xml:"guid"`
	About       string   `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# about,attr"`
	Description string   `xml:"description"`
	Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	PubDate     string   `xml:"pubDate"`
	DCDate      string   `xml:"http://purl.org/dc/elements/1.1/ date"`
	Creator     string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Author      string   `xml:"author"`
	Categories  []string `xml:"category"`
	Enclosures  []struct {
		URL string `xml:"url,attr"`
	} `xml:"enclosure"`
	Media []struct {
		URL string `xml:"url,attr"`
	} `xml:"http://search.yahoo.com/mrss/ content"`
}

type atomText struct {
	Type     string `xml:"type,attr"`
	Chardata string `xml:",chardata"`
	Inner    string `xml:",innerxml"`
}

// html returns the text as HTML for the sanitiser.
func (t atomText) html() string {
	switch t.Type {
	case "xhtml":
		return t.Inner
	case "html", "text/html":
		return t.Chardata
	}
	return htmlEscape(t.Chardata)
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Lang      string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Title     atomText `xml:"title"`
	Summary   atomText `xml:"summary"`
	Content   atomText `xml:"content"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Links     []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
	} `xml:"link"`
	Authors []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Categories []struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
}

// feedEntry is an RSS item or Atom entry, read into one shape.
type feedEntry struct {
	id, link, titleHTML, bodyHTML, author, lang string
	categories                                  []string
	posted                                      time.Time
	media                                       int
}

func (r *Reader) readFeed(ctx context.Context, src *market.MentionSource, tags []string) (*market.PostPage, error) {
	feedURL := webURL(src.URL)
	if feedURL == "" {
		return nil, &Error{Message: "Adresse de flux invalide"}
	}
	u, _ := url.Parse(feedURL)
	host := u.Host
	var cur feedCursor
	if src.Cursor != "" {
		_ = json.Unmarshal([]byte(src.Cursor), &cur) // an unreadable cursor reads the feed afresh
	}
	hdr := http.Header{"Accept": {"application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"}}
	if cur.ETag != "" {
		hdr.Set("If-None-Match", cur.ETag)
	}
	if cur.Modified != "" {
		hdr.Set("If-Modified-Since", cur.Modified)
	}
	res, err := r.get(ctx, feedURL, hdr)
	if err != nil {
		return nil, err
	}
	page := &market.PostPage{Cursor: src.Cursor}
	if res.Status == http.StatusNotModified {
		return page, nil
	}
	if res.Status != http.StatusOK {
		return nil, statusError(host, res.Status)
	}
	feedTitle, entries, err := parseFeed(res.Body, u)
	if err != nil {
		r.breaker.failure(host)
		return nil, &Error{Host: host, Message: fmt.Sprintf("Ce n'est pas un flux RSS ou Atom lisible : %s", clip(feedURL, 200)), Err: err}
	}
	now := r.cfg.Now()
	var since time.Time
	if t, err := time.Parse(time.RFC3339Nano, cur.Newest); err == nil {
		since = t
	}
	newest := since
	seen := map[string]bool{}
	for _, e := range entries {
		dated := !e.posted.IsZero()
		if dated && e.posted.After(now) {
			e.posted = now
		}
		if dated && e.posted.After(newest) {
			newest = e.posted
		}
		if dated && !since.IsZero() && !e.posted.After(since) {
			continue
		}
		p, ok := feedPost(e, feedTitle, tags, now)
		if ok && !seen[p.ID] {
			seen[p.ID] = true
			page.Posts = append(page.Posts, p)
		}
	}
	next := feedCursor{ETag: res.Header.Get("ETag"), Modified: res.Header.Get("Last-Modified")}
	if len(next.ETag) > 512 {
		next.ETag = ""
	}
	if len(next.Modified) > 64 {
		next.Modified = ""
	}
	if !newest.IsZero() {
		next.Newest = newest.UTC().Format(time.RFC3339)
	}
	b, _ := json.Marshal(next)
	page.Cursor = string(b)
	if w := retryAfter(res.Header, now); w > 0 {
		page.Wait = w
	}
	return page, nil
}

// parseFeed reads an RSS or Atom document into its title and entries;
// links are resolved against the feed's address.
func parseFeed(data []byte, base *url.URL) (string, []feedEntry, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel
	var doc feedDoc
	if err := d.Decode(&doc); err != nil {
		return "", nil, err
	}
	resolve := func(s string) string {
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		u, err := base.Parse(s)
		if err != nil {
			return ""
		}
		return webURL(u.String())
	}
	var entries []feedEntry
	switch strings.ToLower(doc.XMLName.Local) {
	case "rss", "rdf":
		items := doc.Items
		title, lang := "", ""
		if doc.Channel != nil {
			items = append(items, doc.Channel.Items...)
			title, lang = doc.Channel.Title, doc.Channel.Language
		}
		for _, it := range items {
			e := feedEntry{titleHTML: it.Title, bodyHTML: it.Description, lang: lang, categories: it.Categories}
			if strings.TrimSpace(e.bodyHTML) == "" {
				e.bodyHTML = it.Content
			}
			for _, l := range it.Links {
				if e.link = resolve(l); e.link != "" {
					break
				}
			}
			e.id = strings.TrimSpace(it.GUID)
			if e.id == "" {
				e.id = strings.TrimSpace(it.About)
			}
			if e.link == "" {
				e.link = resolve(e.id)
			}
			if e.id == "" {
				e.id = e.link
			}
			e.author = strings.TrimSpace(it.Creator)
			if e.author == "" {
				e.author = rssAuthorName(it.Author)
			}
			e.posted = parseFeedTime(it.PubDate)
			if e.posted.IsZero() {
				e.posted = parseFeedTime(it.DCDate)
			}
			e.media = len(it.Enclosures) + len(it.Media)
			entries = append(entries, e)
		}
		return plainText(title, maxNameRunes), entries, nil
	case "feed":
		for _, en := range doc.Entries {
			e := feedEntry{id: strings.TrimSpace(en.ID), titleHTML: en.Title.html(), bodyHTML: en.Summary.html(), lang: en.Lang}
			if e.lang == "" {
				e.lang = doc.Lang
			}
			if strings.TrimSpace(e.bodyHTML) == "" {
				e.bodyHTML = en.Content.html()
			}
			for _, l := range en.Links {
				if l.Rel == "" || l.Rel == "alternate" {
					if e.link = resolve(l.Href); e.link != "" {
						break
					}
				}
				if l.Rel == "enclosure" {
					e.media++
				}
			}
			if e.id == "" {
				e.id = e.link
			}
			if len(en.Authors) > 0 {
				e.author = strings.TrimSpace(en.Authors[0].Name)
			}
			for _, c := range en.Categories {
				e.categories = append(e.categories, c.Term)
			}
			e.posted = parseFeedTime(en.Published)
			if e.posted.IsZero() {
				e.posted = parseFeedTime(en.Updated)
			}
			entries = append(entries, e)
		}
		title, _ := htmlText(doc.Title.html())
		return plainText(title, maxNameRunes), entries, nil
	}
	return "", nil, fmt.Errorf("social: root element %q is not a feed", doc.XMLName.Local)
}

// feedPost turns an entry into a Post, or reports that it is not one to
// keep (no hashtag, no identity, no link).
func feedPost(e feedEntry, feedTitle string, wanted []string, now time.Time) (market.Post, bool) {
	if e.id == "" || e.link == "" || len(e.id) > 2048 {
		return market.Post{}, false
	}
	title, titleLinks := htmlText(e.titleHTML)
	body, links := htmlText(e.bodyHTML)
	var tags []string
	for _, c := range e.categories {
		c = strings.TrimSpace(c)
		if c != "" && !strings.ContainsAny(c, " \t\n") {
			tags = appendTag(tags, c)
		}
	}
	for _, t := range textTags(title + " " + body) {
		tags = appendTag(tags, t)
	}
	if !hasAny(tags, wanted) {
		return market.Post{}, false
	}
	text := title
	if body != "" {
		if text != "" {
			text += " — "
		}
		text += body
	}
	for _, l := range titleLinks {
		links = addLink(links, l)
	}
	links = addLink(links, e.link)
	author := plainText(e.author, maxNameRunes)
	if author == "" {
		author = feedTitle
	}
	posted := e.posted
	if posted.IsZero() {
		posted = now
	}
	return market.Post{
		Network:      market.NetworkFeed,
		ID:           e.id,
		URL:          e.link,
		AuthorHandle: author,
		AuthorName:   author,
		PostedAt:     posted.UTC(),
		Text:         cleanText(text, market.MaxMentionText),
		Lang:         plainText(e.lang, 35),
		MediaCount:   e.media,
		Tags:         tags,
		Links:        links,
	}, true
}

// rssAuthorName reads RSS's author, an e-mail address with the name in
// parentheses: the name, never the address.
func rssAuthorName(s string) string {
	s = strings.TrimSpace(s)
	if i, j := strings.Index(s, "("), strings.LastIndex(s, ")"); i >= 0 && j > i {
		return strings.TrimSpace(s[i+1 : j])
	}
	if strings.Contains(s, "@") {
		return ""
	}
	return s
}

var feedTimeLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339Nano, time.RFC822Z, time.RFC822,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700",
	"Mon, 02 Jan 2006 15:04 -0700", "2006-01-02T15:04:05", "2006-01-02",
}

// parseFeedTime reads the dates feeds carry (RFC 822 and its variants,
// RFC 3339); zero when unreadable.
func parseFeedTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range feedTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// htmlEscape escapes plain text so the sanitiser reads it as text.
func htmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
