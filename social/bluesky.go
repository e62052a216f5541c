package social

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

// Bluesky: post search through the AppView,
// GET /xrpc/app.bsky.feed.searchPosts?q=%23{tag}&sort=latest&limit=100&since={cursor},
// one search per hashtag, following the answer's cursor for at most
// MaxPages pages. The source's cursor is the newest post time seen (the
// search's sort time: the earlier of the post's createdAt and indexedAt,
// never later than now, so a post dated in the future cannot push the
// cursor past what is still to come). since is inclusive: the newest post
// comes back on the next read, and the store keeps it once.
//
// Anonymous reads go to the public AppView (public.api.bsky.app, or the
// source's Instance). With an identifier and app password configured, the
// reader signs in on the PDS (com.atproto.server.createSession), keeps the
// session, sends its requests to the PDS with the access token (the PDS
// passes them to the AppView), and on an expired token refreshes it (or
// signs in again) once.
//
// Skipped: posts whose author or post carries the "!no-unauthenticated"
// label (the author asked not to be shown to people who are not signed
// in), "!hide" or "!takedown", and posts that carry none of the hashtags
// (search matches words too).

const blueskyLimit = 100

// blueskyGetPostsMax is getPosts' limit of URIs per call.
const blueskyGetPostsMax = 25

type bskyPostView struct {
	URI    string `json:"uri"`
	Author struct {
		DID         string      `json:"did"`
		Handle      string      `json:"handle"`
		DisplayName string      `json:"displayName"`
		Labels      []bskyLabel `json:"labels"`
	} `json:"author"`
	Record struct {
		Text      string   `json:"text"`
		CreatedAt string   `json:"createdAt"`
		Langs     []string `json:"langs"`
		Tags      []string `json:"tags"`
		Facets    []struct {
			Features []struct {
				Type string `json:"$type"`
				Tag  string `json:"tag"`
				URI  string `json:"uri"`
			} `json:"features"`
		} `json:"facets"`
	} `json:"record"`
	Embed     *bskyEmbed  `json:"embed"`
	IndexedAt string      `json:"indexedAt"`
	Labels    []bskyLabel `json:"labels"`
}

type bskyLabel struct {
	Val string `json:"val"`
}

// bskyEmbed is the view of a post's embed: images, a video, an external
// link card, or a quoted record with media.
type bskyEmbed struct {
	Type     string            `json:"$type"`
	Images   []json.RawMessage `json:"images"`
	External *struct {
		URI string `json:"uri"`
	} `json:"external"`
	Media *bskyEmbed `json:"media"`
}

type bskySearch struct {
	Cursor string         `json:"cursor"`
	Posts  []bskyPostView `json:"posts"`
}

type bskySession struct {
	access, refresh string
}

// hiddenLabels are the labels that keep a post off the reader's results.
var hiddenLabels = map[string]bool{"!no-unauthenticated": true, "!hide": true, "!takedown": true}

const bskyTimeLayout = "2006-01-02T15:04:05.000Z"

func (r *Reader) blueskyAuth() bool {
	return r.cfg.BlueskyIdentifier != "" && r.cfg.BlueskyAppPassword != ""
}

// blueskyHost is where a Bluesky source's requests go.
func (r *Reader) blueskyHost(src *market.MentionSource) string {
	if r.blueskyAuth() {
		return hostOf(r.cfg.BlueskyPDS)
	}
	if h := hostOf(src.Instance); h != "" {
		return h
	}
	return hostOf(r.cfg.BlueskyAppView)
}

func (r *Reader) readBluesky(ctx context.Context, src *market.MentionSource, tags []string) (*market.PostPage, error) {
	host := r.blueskyHost(src)
	base := strings.TrimRight(r.cfg.BaseURL(host), "/")
	now := r.cfg.Now()
	var since time.Time
	if t, err := time.Parse(time.RFC3339Nano, src.Cursor); err == nil {
		since = t
	}
	page := &market.PostPage{Cursor: src.Cursor}
	newest := since
	seen := map[string]bool{}
	reads := 0
tags:
	for _, tag := range tags {
		cursor := ""
		for i := 0; i < r.cfg.MaxPages; i++ {
			q := url.Values{"q": {"#" + tag}, "sort": {"latest"}, "limit": {fmt.Sprint(pageSize(r.cfg.PageSize, blueskyLimit))}}
			if !since.IsZero() {
				q.Set("since", since.UTC().Format(bskyTimeLayout))
			}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			res, err := r.bskyGet(ctx, base+"/xrpc/app.bsky.feed.searchPosts?"+q.Encode())
			if err != nil {
				if reads == 0 {
					return nil, err
				}
				page.Wait = waitOf(err)
				break tags
			}
			if res.Status != http.StatusOK {
				if reads == 0 {
					return nil, r.bskyStatusError(host, res)
				}
				break tags
			}
			var out bskySearch
			if err := r.decode(host, res.Body, &out); err != nil {
				if reads == 0 {
					return nil, err
				}
				break tags
			}
			reads++
			for i := range out.Posts {
				pv := &out.Posts[i]
				p, sortAt, ok := blueskyPost(pv, tags, now)
				if sortAt.After(newest) {
					newest = sortAt
				}
				if ok && !seen[p.ID] {
					seen[p.ID] = true
					page.Posts = append(page.Posts, p)
				}
			}
			if w := exhausted(res.Header, now); w > 0 {
				page.Wait = w
				break tags
			}
			if out.Cursor == "" || len(out.Posts) == 0 {
				break
			}
			cursor = out.Cursor
		}
	}
	if !newest.IsZero() && newest.After(since) {
		page.Cursor = newest.UTC().Format(bskyTimeLayout)
	}
	return page, nil
}

// blueskyPost turns a post view into a Post, with its sort time (for the
// cursor), or reports that it is not one to keep.
func blueskyPost(pv *bskyPostView, wanted []string, now time.Time) (market.Post, time.Time, bool) {
	indexed, ierr := time.Parse(time.RFC3339Nano, pv.IndexedAt)
	created, cerr := time.Parse(time.RFC3339Nano, pv.Record.CreatedAt)
	switch {
	case cerr != nil && ierr != nil:
		created = now
	case cerr != nil || (ierr == nil && created.After(indexed)):
		created = indexed
	}
	sortAt := created
	if sortAt.After(now) {
		sortAt = now
	}
	did, rkey, ok := parseAtURI(pv.URI)
	if !ok {
		return market.Post{}, sortAt, false
	}
	for _, l := range append(append([]bskyLabel{}, pv.Labels...), pv.Author.Labels...) {
		if hiddenLabels[l.Val] {
			return market.Post{}, sortAt, false
		}
	}
	var tags, links []string
	for _, f := range pv.Record.Facets {
		for _, ft := range f.Features {
			switch ft.Type {
			case "app.bsky.richtext.facet#tag":
				tags = appendTag(tags, ft.Tag)
			case "app.bsky.richtext.facet#link":
				links = addLink(links, ft.URI)
			}
		}
	}
	for _, t := range pv.Record.Tags {
		tags = appendTag(tags, t)
	}
	for _, t := range textTags(pv.Record.Text) {
		tags = appendTag(tags, t)
	}
	if !hasAny(tags, wanted) {
		return market.Post{}, sortAt, false
	}
	media := 0
	for e, depth := pv.Embed, 0; e != nil && depth < 3; e, depth = e.Media, depth+1 {
		switch {
		case strings.HasPrefix(e.Type, "app.bsky.embed.images"):
			media += len(e.Images)
		case strings.HasPrefix(e.Type, "app.bsky.embed.video"):
			media++
		}
		if e.External != nil {
			links = addLink(links, e.External.URI)
		}
	}
	profile := did
	if handleRe.MatchString(pv.Author.Handle) && pv.Author.Handle != "handle.invalid" {
		profile = strings.ToLower(pv.Author.Handle)
	}
	lang := ""
	if len(pv.Record.Langs) > 0 {
		lang = plainText(pv.Record.Langs[0], 35)
	}
	return market.Post{
		Network:      market.NetworkBluesky,
		ID:           pv.URI,
		URL:          "https://bsky.app/profile/" + profile + "/post/" + rkey,
		AuthorHandle: profile,
		AuthorName:   plainText(pv.Author.DisplayName, maxNameRunes),
		PostedAt:     created.UTC(),
		Text:         plainText(pv.Record.Text, market.MaxMentionText),
		Lang:         lang,
		MediaCount:   media,
		Tags:         tags,
		Links:        links,
	}, sortAt, true
}

var (
	atURIRe  = regexp.MustCompile(`^at://(did:[a-z]+:[A-Za-z0-9._:%-]{1,1000})/app\.bsky\.feed\.post/([A-Za-z0-9._:~-]{1,512})$`)
	handleRe = regexp.MustCompile(`^[A-Za-z0-9.-]{1,253}$`)
)

// parseAtURI reads at://{did}/app.bsky.feed.post/{rkey}.
func parseAtURI(uri string) (did, rkey string, ok bool) {
	m := atURIRe.FindStringSubmatch(uri)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// goneBluesky asks getPosts for the posts, 25 at a time: those missing
// from the answer were deleted (or taken down).
func (r *Reader) goneBluesky(ctx context.Context, src *market.MentionSource, ids []string) ([]string, error) {
	host := r.blueskyHost(src)
	base := strings.TrimRight(r.cfg.BaseURL(host), "/")
	var valid []string
	for _, id := range ids {
		if _, _, ok := parseAtURI(id); ok {
			valid = append(valid, id)
		}
	}
	var gone []string
	for start := 0; start < len(valid); start += blueskyGetPostsMax {
		batch := valid[start:min(start+blueskyGetPostsMax, len(valid))]
		q := url.Values{"uris": batch}
		res, err := r.bskyGet(ctx, base+"/xrpc/app.bsky.feed.getPosts?"+q.Encode())
		if err == nil && res.Status != http.StatusOK {
			err = r.bskyStatusError(host, res)
		}
		var out struct {
			Posts []struct {
				URI string `json:"uri"`
			} `json:"posts"`
		}
		if err == nil {
			err = r.decode(host, res.Body, &out)
		}
		if err != nil {
			if start == 0 {
				return nil, err
			}
			return gone, nil // what was checked stands; the rest waits for the next read
		}
		found := map[string]bool{}
		for _, p := range out.Posts {
			found[p.URI] = true
		}
		for _, id := range batch {
			if !found[id] {
				gone = append(gone, id)
			}
		}
	}
	return gone, nil
}

// bskyGet fetches an XRPC query, authenticated when credentials are
// configured: on 401 or an expired token it renews the session once and
// asks again.
func (r *Reader) bskyGet(ctx context.Context, rawURL string) (*response, error) {
	hdr := http.Header{"Accept": {"application/json"}}
	if !r.blueskyAuth() {
		return r.get(ctx, rawURL, hdr)
	}
	for attempt := 0; ; attempt++ {
		token, err := r.bskyToken(ctx, attempt > 0)
		if err != nil {
			return nil, err
		}
		hdr.Set("Authorization", "Bearer "+token)
		res, err := r.get(ctx, rawURL, hdr)
		if err != nil || attempt > 0 || !expiredToken(res) {
			return res, err
		}
	}
}

// expiredToken reports an answer that asks for a fresh session.
func expiredToken(res *response) bool {
	if res.Status == http.StatusUnauthorized {
		return true
	}
	if res.Status == http.StatusBadRequest {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(res.Body, &e)
		return e.Error == "ExpiredToken" || e.Error == "InvalidToken"
	}
	return false
}

// bskyToken returns the session's access token, signing in when there is
// no session; renew asks for a fresh token (refreshed, or a new sign-in
// when the refresh fails).
func (r *Reader) bskyToken(ctx context.Context, renew bool) (string, error) {
	r.bskyMu.Lock()
	defer r.bskyMu.Unlock()
	if r.bskySession != nil && !renew {
		return r.bskySession.access, nil
	}
	host := hostOf(r.cfg.BlueskyPDS)
	base := strings.TrimRight(r.cfg.BaseURL(host), "/")
	if r.bskySession != nil && r.bskySession.refresh != "" {
		hdr := http.Header{"Accept": {"application/json"}, "Authorization": {"Bearer " + r.bskySession.refresh}}
		res, err := r.do(ctx, http.MethodPost, base+"/xrpc/com.atproto.server.refreshSession", hdr, nil)
		if err == nil && res.Status == http.StatusOK {
			if s, err := r.sessionFrom(host, res.Body); err == nil {
				r.bskySession = s
				return s.access, nil
			}
		}
	}
	r.bskySession = nil
	body, _ := json.Marshal(map[string]string{"identifier": r.cfg.BlueskyIdentifier, "password": r.cfg.BlueskyAppPassword})
	res, err := r.do(ctx, http.MethodPost, base+"/xrpc/com.atproto.server.createSession", http.Header{"Accept": {"application/json"}}, body)
	if err != nil {
		return "", err
	}
	if res.Status == http.StatusUnauthorized || res.Status == http.StatusBadRequest {
		return "", &Error{Host: host, Message: "Identifiants Bluesky refusés : vérifiez BLUESKY_IDENTIFIER et BLUESKY_APP_PASSWORD"}
	}
	if res.Status != http.StatusOK {
		return "", statusError(host, res.Status)
	}
	s, err := r.sessionFrom(host, res.Body)
	if err != nil {
		return "", err
	}
	r.bskySession = s
	return s.access, nil
}

func (r *Reader) sessionFrom(host string, body []byte) (*bskySession, error) {
	var out struct {
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
	}
	if err := r.decode(host, body, &out); err != nil {
		return nil, err
	}
	if out.AccessJwt == "" {
		return nil, &Error{Host: host, Message: fmt.Sprintf("Réponse illisible de %s", host)}
	}
	return &bskySession{access: out.AccessJwt, refresh: out.RefreshJwt}, nil
}

// bskyStatusError says why an XRPC answer is not usable.
func (r *Reader) bskyStatusError(host string, res *response) error {
	if (res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden) && !r.blueskyAuth() {
		return &Error{Host: host, Message: fmt.Sprintf("%s demande un compte pour chercher (erreur %d) : configurez BLUESKY_IDENTIFIER et BLUESKY_APP_PASSWORD", host, res.Status)}
	}
	return statusError(host, res.Status)
}
