package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// sourceJSON is where a campaign's hashtags are looked for, with how its
// reads went.
type sourceJSON struct {
	ID         string         `json:"id"`
	Network    market.Network `json:"network"`
	Instance   string         `json:"instance"`
	URL        string         `json:"url"`
	LastReadAt *time.Time     `json:"last_read_at"`
	LastError  string         `json:"last_error"`
	NextReadAt *time.Time     `json:"next_read_at"`
	Mentions   int64          `json:"mentions"`
	CreatedAt  time.Time      `json:"created_at"`
}

func newSourceJSON(s *market.MentionSource) sourceJSON {
	out := sourceJSON{ID: s.ID, Network: s.Network, Instance: s.Instance, URL: s.URL, LastError: s.LastError,
		Mentions: s.Mentions, CreatedAt: s.CreatedAt}
	if !s.LastReadAt.IsZero() {
		t := s.LastReadAt
		out.LastReadAt = &t
	}
	if !s.NextReadAt.IsZero() {
		t := s.NextReadAt
		out.NextReadAt = &t
	}
	return out
}

// listSources answers GET /api/v1/organiser/campaigns/{slug}/sources.
func (s *Server) listSources(c *gin.Context) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	ss, err := s.cfg.Mentions.Sources(c.Request.Context(), cam)
	if err != nil {
		return err
	}
	out := list[sourceJSON]{Data: make([]sourceJSON, len(ss))}
	for i, src := range ss {
		out.Data[i] = newSourceJSON(src)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// addSource answers POST /api/v1/organiser/campaigns/{slug}/sources
// {"network": "mastodon"|"bluesky", "instance"} or {"network": "feed", "url"}:
// the source is read at once in the background, then at most once a
// minute.
func (s *Server) addSource(c *gin.Context) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	var req struct {
		Network  market.Network `json:"network"`
		Instance string         `json:"instance"`
		URL      string         `json:"url"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	src, err := s.cfg.Mentions.AddSource(c.Request.Context(), cam, req.Network, req.Instance, req.URL)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newSourceJSON(src))
	return nil
}

// removeSource answers DELETE /api/v1/organiser/campaigns/{slug}/sources/{id};
// the mentions it found stay.
func (s *Server) removeSource(c *gin.Context) error {
	cam, err := s.mentionsFor(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Mentions.RemoveSource(c.Request.Context(), cam, c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
