package social

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Mastodon: the public hashtag timeline of one instance,
// GET /api/v1/timelines/tag/{first}?any[]={second}…&limit=40.
//
// Paging follows the Link header. The first read of a source (no cursor)
// takes the newest page and walks rel="next" (max_id, older) for at most
// MaxPages pages. Later reads ask min_id={cursor}, which returns the
// statuses immediately newer than the cursor, and walk rel="prev" (min_id,
// newer) for at most MaxPages pages: when more arrived than that, the next
// read goes on from where this one stopped, leaving no gap (since_id would
// give the newest page and skip what lies between it and the cursor). The
// cursor is the newest status id seen (Mastodon ids compare as numbers:
// by length, then lexically).
//
// Kept: public statuses carrying one of the hashtags. Skipped: other
// visibilities, and reblogs (a boost is not its booster's post; the
// original appears on the timeline by itself when it carries the tag).
// Post.ID is the status URI, its identity across the fediverse, so one
// post read through two instances is stored once.

const mastodonLimit = 40

type mastoStatus struct {
	ID          string `json:"id"`
	URI         string `json:"uri"`
	URL         string `json:"url"`
	CreatedAt   string `json:"created_at"`
	Visibility  string `json:"visibility"`
	Language    string `json:"language"`
	Content     string `json:"content"`
	SpoilerText string `json:"spoiler_text"`
	Account     struct {
		Acct        string `json:"acct"`
		DisplayName string `json:"display_name"`
	} `json:"account"`
	MediaAttachments []struct {
		ID string `json:"id"`
	} `json:"media_attachments"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Card *struct {
		URL string `json:"url"`
	} `json:"card"`
	Reblog *struct {
		ID string `json:"id"`
	} `json:"reblog"`
}

var statusIDRe = regexp.MustCompile(`^[0-9A-Za-z]{1,40}$`)

func (r *Reader) readMastodon(ctx context.Context, src *market.MentionSource, tags []string) (*market.PostPage, error) {
	host := hostOf(src.Instance)
	if host == "" {
		return nil, &Error{Message: "Instance Mastodon manquante"}
	}
	cursor := src.Cursor
	if !statusIDRe.MatchString(cursor) {
		cursor = ""
	}
	limit := pageSize(r.cfg.PageSize, mastodonLimit)
	q := url.Values{"limit": {fmt.Sprint(limit)}}
	for _, t := range tags[1:] {
		q.Add("any[]", t)
	}
	rel := "next"
	if cursor != "" {
		q.Set("min_id", cursor)
		rel = "prev"
	}
	base := strings.TrimRight(r.cfg.BaseURL(host), "/")
	next := base + "/api/v1/timelines/tag/" + url.PathEscape(tags[0]) + "?" + q.Encode()
	page := &market.PostPage{Cursor: src.Cursor}
	newest := cursor
	seen := map[string]bool{}
	for i := 0; i < r.cfg.MaxPages && next != ""; i++ {
		res, err := r.get(ctx, next, http.Header{"Accept": {"application/json"}})
		if err != nil {
			if i == 0 {
				return nil, err
			}
			page.Wait = waitOf(err) // keep what was read: the cursor moves only over it
			break
		}
		if res.Status == http.StatusNotFound && i == 0 {
			return page, nil // no such hashtag on this instance yet
		}
		if res.Status != http.StatusOK {
			if i == 0 {
				return nil, statusError(host, res.Status)
			}
			break
		}
		var statuses []mastoStatus
		if err := r.decode(host, res.Body, &statuses); err != nil {
			if i == 0 {
				return nil, err
			}
			break
		}
		for i := range statuses {
			st := &statuses[i]
			if statusIDRe.MatchString(st.ID) && idAfter(st.ID, newest) {
				newest = st.ID
			}
			if p, ok := mastodonPost(st, host, tags); ok && !seen[p.ID] {
				seen[p.ID] = true
				page.Posts = append(page.Posts, p)
			}
		}
		if w := exhausted(res.Header, r.cfg.Now()); w > 0 {
			page.Wait = w
			break
		}
		if len(statuses) < limit {
			break
		}
		next = followLink(res.Header.Get("Link"), rel, next)
	}
	if newest != "" {
		page.Cursor = newest
	}
	return page, nil
}

// mastodonPost turns a status read on host into a Post, or reports that
// it is not one to keep.
func mastodonPost(st *mastoStatus, host string, wanted []string) (market.Post, bool) {
	if st.Reblog != nil || st.Visibility != "public" || st.URI == "" {
		return market.Post{}, false
	}
	var tags []string
	for _, t := range st.Tags {
		tags = appendTag(tags, t.Name)
	}
	if !hasAny(tags, wanted) {
		return market.Post{}, false
	}
	link := webURL(st.URL)
	if link == "" {
		link = webURL(st.URI)
	}
	if link == "" {
		return market.Post{}, false
	}
	text, links := htmlText(st.Content)
	if cw := plainText(st.SpoilerText, market.MaxMentionText); cw != "" {
		text = cleanText(cw+" — "+text, market.MaxMentionText)
	}
	if st.Card != nil {
		links = addLink(links, st.Card.URL)
	}
	acct := strings.TrimPrefix(st.Account.Acct, "@")
	if !strings.Contains(acct, "@") {
		acct += "@" + host
	}
	posted, err := time.Parse(time.RFC3339Nano, st.CreatedAt)
	if err != nil {
		posted = time.Time{}
	}
	return market.Post{
		Network:      market.NetworkMastodon,
		ID:           st.URI,
		URL:          link,
		AuthorHandle: plainText("@"+acct, 300),
		AuthorName:   plainText(st.Account.DisplayName, maxNameRunes),
		PostedAt:     posted.UTC(),
		Text:         text,
		Lang:         plainText(st.Language, 35),
		MediaCount:   len(st.MediaAttachments),
		Tags:         tags,
		Links:        links,
	}, true
}

// pageSize is the configured page size, within the network's maximum.
func pageSize(configured, max int) int {
	if configured <= 0 || configured > max {
		return max
	}
	return configured
}

// idAfter reports whether Mastodon status id a is newer than b: longer is
// newer, then lexically (ids are numbers, or sortable strings elsewhere in
// the fediverse).
func idAfter(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// linkRe reads one entry of a Link header: <url>; rel="name".
var linkRe = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="?([^";,]+)"?`)

// followLink returns the URL of the rel entry of a Link header, provided
// it stays on the same scheme and host as the page it came from; a prev
// link that still speaks since_id (older Mastodon) is turned into min_id
// so that paging forward leaves no gap.
func followLink(header, rel, from string) string {
	base, err := url.Parse(from)
	if err != nil {
		return ""
	}
	for _, m := range linkRe.FindAllStringSubmatch(header, -1) {
		if m[2] != rel {
			continue
		}
		u, err := base.Parse(m[1])
		if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
			return ""
		}
		if rel == "prev" {
			q := u.Query()
			if q.Get("min_id") == "" && q.Get("since_id") != "" {
				q.Set("min_id", q.Get("since_id"))
				q.Del("since_id")
				u.RawQuery = q.Encode()
			}
		}
		return u.String()
	}
	return ""
}

// webURL returns s when it is an absolute http(s) URL (the wall links to
// it), and "" otherwise.
func webURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2048 {
		return ""
	}
	return u.String()
}

// waitOf returns the wait an error asks for, if any.
func waitOf(err error) time.Duration {
	var ra market.RetryAfter
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

// statusURIRe reads a Mastodon status URI, https://host/users/name/statuses/ID,
// whose ID is the status's id on its own (origin) server.
var statusURIRe = regexp.MustCompile(`^https://([^/]+)/users/[^/]+/statuses/([0-9A-Za-z]{1,40})$`)

// goneMastodon asks each post's origin server, the one that knows whether
// its author deleted it, for the status (GET /api/v1/statuses/{id}, whose
// id is the last segment of a Mastodon status URI): 404 or 410 means gone.
// Posts whose URI is not Mastodon-shaped (other fediverse software), or
// whose server does not answer, are not reported.
func (r *Reader) goneMastodon(ctx context.Context, src *market.MentionSource, ids []string) ([]string, error) {
	var gone []string
	var firstErr error
	checked := 0
	skip := map[string]bool{} // hosts that failed during this call
	for _, id := range ids {
		m := statusURIRe.FindStringSubmatch(id)
		if m == nil {
			continue
		}
		host := strings.ToLower(m[1])
		if skip[host] || !fediverseHost(host) {
			continue
		}
		if ctx.Err() != nil {
			return gone, ctx.Err()
		}
		base := strings.TrimRight(r.cfg.BaseURL(host), "/")
		res, err := r.get(ctx, base+"/api/v1/statuses/"+m[2], http.Header{"Accept": {"application/json"}})
		if err != nil {
			skip[host] = true
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		checked++
		if res.Status == http.StatusNotFound || res.Status == http.StatusGone {
			gone = append(gone, id)
		}
	}
	if checked == 0 && firstErr != nil {
		return nil, firstErr
	}
	return gone, nil
}

// fediverseHost accepts a host name (not an address literal) for a
// server-side request.
func fediverseHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	return h != "" && net.ParseIP(strings.Trim(h, "[]")) == nil && strings.Contains(h, ".") && h != "localhost"
}
