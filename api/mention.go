package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Mentions is what the hashtag routes need (market.Mentions): sources,
// moderation, blocked authors, the public wall and its reports, and the
// counts beside clicks and sales.
type Mentions interface {
	AddSource(ctx context.Context, cam *market.Campaign, network market.Network, instance, feedURL string) (*market.MentionSource, error)
	Sources(ctx context.Context, cam *market.Campaign) ([]*market.MentionSource, error)
	RemoveSource(ctx context.Context, cam *market.Campaign, id string) error
	List(ctx context.Context, cam *market.Campaign, f market.MentionFilter) ([]*market.Mention, string, error)
	Moderate(ctx context.Context, cam *market.Campaign, id string, status market.MentionStatus) (*market.Mention, error)
	Block(ctx context.Context, cam *market.Campaign, network market.Network, handle, by string) (*market.BlockedAuthor, error)
	Unblock(ctx context.Context, cam *market.Campaign, network market.Network, handle string) error
	Blocked(ctx context.Context, cam *market.Campaign) ([]*market.BlockedAuthor, error)
	Report(ctx context.Context, cam *market.Campaign, id string) error
	Wall(ctx context.Context, cam *market.Campaign) ([]*market.Mention, error)
	Stats(ctx context.Context, cam *market.Campaign) (*market.MentionStats, error)
}

// mentionsExport bounds a CSV export of mentions.
const mentionsExport = 10000

// reportsPerClient bounds the reports one client sends in an hour.
var reportsPerClient = Rate{Count: 20, Per: time.Hour}

type authorJSON struct {
	Handle string `json:"handle"`
	Name   string `json:"name"`
}

// wallPostJSON is a post on a campaign's public wall: plain text, the
// author, and the link to the original; never media.
type wallPostJSON struct {
	ID       string         `json:"id"`
	Network  market.Network `json:"network"`
	URL      string         `json:"url"`
	Author   authorJSON     `json:"author"`
	PostedAt time.Time      `json:"posted_at"`
	Text     string         `json:"text"`
	Lang     string         `json:"lang"`
}

// mentionJSON is a mention as the organiser moderates it.
type mentionJSON struct {
	wallPostJSON
	MediaCount int                  `json:"media_count"`
	Status     market.MentionStatus `json:"status"`
	ShareLink  *string              `json:"share_link"`
	Merchant   *string              `json:"merchant"`
	Reports    int                  `json:"reports"`
	Gone       bool                 `json:"gone"`
	FoundAt    time.Time            `json:"found_at"`
}

func newWallPost(m *market.Mention) wallPostJSON {
	return wallPostJSON{ID: m.ID, Network: m.Network, URL: m.URL, Author: authorJSON{m.AuthorHandle, m.AuthorName},
		PostedAt: m.PostedAt, Text: m.Text, Lang: m.Lang}
}

func newMentionJSON(m *market.Mention) mentionJSON {
	out := mentionJSON{wallPostJSON: newWallPost(m), MediaCount: m.MediaCount, Status: m.Status, Reports: m.Reports,
		Gone: m.Gone, FoundAt: m.FoundAt}
	if m.ShareLink != "" {
		out.ShareLink = &m.ShareLink
	}
	if m.Merchant != "" {
		out.Merchant = &m.Merchant
	}
	return out
}

// mentionsFor returns the campaign of an organiser route, and the mention
// service; 404 when hashtag tracking is not wired.
func (s *Server) mentionsFor(c *gin.Context) (*market.Campaign, error) {
	if s.cfg.Mentions == nil {
		return nil, market.NotFound("Page")
	}
	return s.campaignFor(c)
}

// listMentions answers GET /api/v1/organiser/campaigns/{slug}/mentions?network=&status=&limit=&cursor=,
// newest first; with Accept: text/csv (or ?format=csv) every matching
// mention, up to mentionsExport, as a formula-safe CSV.
func (s *Server) listMentions(c *gin.Context) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	f := market.MentionFilter{Network: market.Network(c.Query("network")), Status: market.MentionStatus(c.Query("status")), Page: p}
	c.Header("Cache-Control", "no-store")
	if c.Query("format") == "csv" || c.NegotiateFormat(gin.MIMEJSON, "text/csv") == "text/csv" {
		return s.mentionsCSV(c, cam, f)
	}
	ms, next, err := s.cfg.Mentions.List(c.Request.Context(), cam, f)
	if err != nil {
		return err
	}
	out := list[mentionJSON]{Data: make([]mentionJSON, len(ms)), NextCursor: next}
	for i, m := range ms {
		out.Data[i] = newMentionJSON(m)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// mentionsCSV writes a campaign's mentions as CSV, a page at a time, with
// French headers; every cell goes through csvRow, so a post cannot smuggle
// a formula into a spreadsheet.
func (s *Server) mentionsCSV(c *gin.Context, cam *market.Campaign, f market.MentionFilter) error {
	f.Page = market.Page{Limit: market.MaxLimit}
	var rows []*market.Mention
	for len(rows) < mentionsExport {
		ms, next, err := s.cfg.Mentions.List(c.Request.Context(), cam, f)
		if err != nil {
			return err
		}
		rows = append(rows, ms...)
		if next == "" {
			break
		}
		f.Page.Cursor = next
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="mentions-%s.csv"`, cam.Slug))
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	w.Write(csvRow("date", "reseau", "auteur", "nom", "texte", "langue", "medias", "lien_partage", "commerce", "statut",
		"signalements", "supprime", "adresse"))
	for _, m := range rows {
		w.Write(csvRow(m.PostedAt.UTC().Format(time.RFC3339), string(m.Network), m.AuthorHandle, m.AuthorName, m.Text, m.Lang,
			csvNumber(strconv.Itoa(m.MediaCount)), m.ShareLink, m.Merchant, string(m.Status), csvNumber(strconv.Itoa(m.Reports)),
			map[bool]string{true: "oui", false: "non"}[m.Gone], m.URL))
	}
	w.Flush()
	return w.Error()
}

// approveMention answers POST /api/v1/organiser/campaigns/{slug}/mentions/{id}/approve.
func (s *Server) approveMention(c *gin.Context) error {
	return s.moderateMention(c, market.MentionApproved)
}

// hideMention answers POST /api/v1/organiser/campaigns/{slug}/mentions/{id}/hide.
func (s *Server) hideMention(c *gin.Context) error {
	return s.moderateMention(c, market.MentionHidden)
}

func (s *Server) moderateMention(c *gin.Context, status market.MentionStatus) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	m, err := s.cfg.Mentions.Moderate(c.Request.Context(), cam, c.Param("id"), status)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newMentionJSON(m))
	return nil
}

type blockedJSON struct {
	Network   market.Network `json:"network"`
	Handle    string         `json:"handle"`
	CreatedAt time.Time      `json:"created_at"`
}

// blockAuthor answers POST /api/v1/organiser/campaigns/{slug}/blocked-authors
// {"network", "handle"}: the author's posts leave the wall and never reach
// it again.
func (s *Server) blockAuthor(c *gin.Context) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	var req struct {
		Network market.Network `json:"network"`
		Handle  string         `json:"handle"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := s.cfg.Mentions.Block(c.Request.Context(), cam, req.Network, req.Handle, actor(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, blockedJSON{b.Network, b.Handle, b.CreatedAt})
	return nil
}

// blockedAuthors answers GET /api/v1/organiser/campaigns/{slug}/blocked-authors.
func (s *Server) blockedAuthors(c *gin.Context) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	bs, err := s.cfg.Mentions.Blocked(c.Request.Context(), cam)
	if err != nil {
		return err
	}
	out := list[blockedJSON]{Data: make([]blockedJSON, len(bs))}
	for i, b := range bs {
		out.Data[i] = blockedJSON{b.Network, b.Handle, b.CreatedAt}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// unblockAuthor answers DELETE /api/v1/organiser/campaigns/{slug}/blocked-authors?network=&handle=.
func (s *Server) unblockAuthor(c *gin.Context) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Mentions.Unblock(c.Request.Context(), cam, market.Network(c.Query("network")), c.Query("handle")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// reportWallPost answers POST /api/v1/campaigns/{slug}/wall/{id}/report:
// anyone may report a post on a public wall; the third report takes it
// off until an organiser approves it again.
func (s *Server) reportWallPost(c *gin.Context) error {
	if s.cfg.Mentions == nil {
		return market.NotFound("Publication")
	}
	if err := s.limit(c, "report:ip:"+c.ClientIP(), reportsPerClient); err != nil {
		return err
	}
	cam, err := s.cfg.Catalogue.Campaign(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	// One client counts once per post.
	if ok, _, err := s.allowOnce(c, "report:"+c.Param("id")+":"+c.ClientIP(), 24*time.Hour); err == nil && !ok {
		c.JSON(http.StatusAccepted, gin.H{"status": "reported"})
		return nil
	}
	if err := s.cfg.Mentions.Report(c.Request.Context(), cam, c.Param("id")); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "reported"})
	return nil
}

// allowOnce reports whether key is new within window (the limiter's count
// of one); without a limiter every call is new.
func (s *Server) allowOnce(c *gin.Context, key string, window time.Duration) (bool, time.Duration, error) {
	if s.cfg.Limiter == nil {
		return true, 0, nil
	}
	return s.cfg.Limiter.Allow(c.Request.Context(), key, 1, window)
}

// mentionStatsJSON is the mentions part of a campaign's stats.
type mentionStatsJSON struct {
	Total      int64                    `json:"total"`
	ByNetwork  map[market.Network]int64 `json:"by_network"`
	ByDay      []mentionDayJSON         `json:"by_day"`
	TopAuthors []mentionAuthorJSON      `json:"top_authors"`
	byLink     map[string]int64
}

type mentionDayJSON struct {
	Day       string                   `json:"day"`
	Total     int64                    `json:"total"`
	ByNetwork map[market.Network]int64 `json:"by_network"`
}

type mentionAuthorJSON struct {
	Network market.Network `json:"network"`
	Handle  string         `json:"handle"`
	Name    string         `json:"name"`
	Posts   int64          `json:"posts"`
}

// mentionStats counts a campaign's mentions for its stats; empty without
// hashtag tracking.
func (s *Server) mentionStats(c *gin.Context, cam *market.Campaign) (*mentionStatsJSON, error) {
	out := &mentionStatsJSON{ByNetwork: map[market.Network]int64{}, ByDay: []mentionDayJSON{}, TopAuthors: []mentionAuthorJSON{}}
	if s.cfg.Mentions == nil {
		return out, nil
	}
	st, err := s.cfg.Mentions.Stats(c.Request.Context(), cam)
	if err != nil {
		return nil, err
	}
	out.Total, out.byLink = st.Total, st.ByLink
	for n, v := range st.ByNetwork {
		out.ByNetwork[n] = v
	}
	for _, d := range st.ByDay {
		out.ByDay = append(out.ByDay, mentionDayJSON{d.Day, d.Total, d.ByNetwork})
	}
	for _, a := range st.TopAuthors {
		out.TopAuthors = append(out.TopAuthors, mentionAuthorJSON{a.Network, a.Handle, a.Name, a.Posts})
	}
	return out, nil
}
