package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// postJSON is a news post.
type postJSON struct {
	ID           string     `json:"id"`
	Body         string     `json:"body"`
	Photo        *photoJSON `json:"photo"`
	URL          string     `json:"url"`
	CreatedAt    time.Time  `json:"created_at"`
	Hidden       bool       `json:"hidden"`
	HiddenReason string     `json:"hidden_reason"`
}

// postsJSON renders posts with their photos (among photos, by id).
func postsJSON(m *market.Merchant, posts []*market.NewsPost, photos []*market.PagePhoto) []postJSON {
	byID := map[string]*market.PagePhoto{}
	for _, p := range photos {
		byID[p.ID] = p
	}
	out := make([]postJSON, len(posts))
	for i, p := range posts {
		out[i] = postJSON{ID: p.ID, Body: p.Body, URL: market.PostURL(m, p.ID), CreatedAt: p.CreatedAt,
			Hidden: p.Hidden, HiddenReason: p.HiddenReason}
		if ph := byID[p.PhotoID]; ph != nil {
			j := newPhotoJSON(ph, false)
			out[i].Photo = &j
		}
	}
	return out
}

// listOwnPosts answers GET /api/v1/merchant/posts: the merchant's posts,
// hidden ones too, with the reason an admin gave.
func (s *Server) listOwnPosts(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	posts, next, err := s.cfg.PageReads.OwnPosts(ctx, m.ID, p)
	if err != nil {
		return err
	}
	photos, err := s.cfg.PageReads.PagePhotos(ctx, m.ID, true)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list[postJSON]{Data: postsJSON(m, posts, photos), NextCursor: next})
	return nil
}

// createPost answers POST /api/v1/merchant/posts {"body", "photo"}: the
// post is published, and mailed to the confirmed followers.
func (s *Server) createPost(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	var req struct {
		Body  string  `json:"body"`
		Photo *string `json:"photo"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	photo := ""
	if req.Photo != nil {
		photo = *req.Photo
	}
	ctx := c.Request.Context()
	p, err := s.cfg.MerchantPages.Post(ctx, actor(c), m, req.Body, photo)
	if err != nil {
		return err
	}
	s.catalogueChanged(ctx)
	photos, err := s.cfg.PageReads.PagePhotos(ctx, m.ID, true)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, postsJSON(m, []*market.NewsPost{p}, photos)[0])
	return nil
}

// deletePost answers DELETE /api/v1/merchant/posts/{id}.
func (s *Server) deletePost(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	if err := s.cfg.MerchantPages.DeletePost(c.Request.Context(), actor(c), m, c.Param("id")); err != nil {
		return err
	}
	s.catalogueChanged(c.Request.Context())
	c.Status(http.StatusNoContent)
	return nil
}

// announceProgramme tells a merchant's followers it now takes a town's
// card; a failure is logged, the membership stands.
func (s *Server) announceProgramme(ctx context.Context, m *market.Merchant, p *market.Programme) {
	if s.cfg.MerchantPages == nil {
		return
	}
	if _, err := s.cfg.MerchantPages.AnnounceProgramme(ctx, m, p); err != nil {
		s.log.ErrorContext(ctx, "announce programme to followers", "programme", p.ID, "err", err)
	}
}

// announceEvent tells the venue's followers of a new event; a failure is
// logged, the event stands.
func (s *Server) announceEvent(ctx context.Context, m *market.Merchant, e *market.Event) {
	if s.cfg.MerchantPages == nil {
		return
	}
	if _, err := s.cfg.MerchantPages.AnnounceEvent(ctx, m, e); err != nil {
		s.log.ErrorContext(ctx, "announce event to followers", "event", e.ID, "err", err)
	}
}
