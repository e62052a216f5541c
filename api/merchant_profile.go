package api

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// MerchantPages runs merchants' own pages (market.MerchantPages).
type MerchantPages interface {
	UpdateProfile(ctx context.Context, a *market.Actor, m *market.Merchant, c market.ProfileChange) (*market.Merchant, error)
	SetStatus(ctx context.Context, a *market.Actor, m *market.Merchant, st market.OpenStatus, note string, until time.Time) (*market.Merchant, error)
	AddPhoto(ctx context.Context, a *market.Actor, m *market.Merchant, r io.Reader) (*market.PagePhoto, error)
	MovePhoto(ctx context.Context, a *market.Actor, m *market.Merchant, photoID string, position int) (*market.PagePhoto, error)
	DeletePhoto(ctx context.Context, a *market.Actor, m *market.Merchant, photoID string) error
	HidePhoto(ctx context.Context, a *market.Actor, m *market.Merchant, photoID, reason string) error
	HidePost(ctx context.Context, a *market.Actor, m *market.Merchant, postID, reason string) error
	Post(ctx context.Context, a *market.Actor, m *market.Merchant, body, photoID string) (*market.NewsPost, error)
	DeletePost(ctx context.Context, a *market.Actor, m *market.Merchant, postID string) error
	AnnounceEvent(ctx context.Context, m *market.Merchant, e *market.Event) (int, error)
	AnnounceProgramme(ctx context.Context, m *market.Merchant, p *market.Programme) (int, error)
}

// PageReads reads merchants' pages (store.DB).
type PageReads interface {
	PagePhotos(ctx context.Context, merchantID string, withHidden bool) ([]*market.PagePhoto, error)
	MerchantPosts(ctx context.Context, merchantID string, p market.Page) ([]*market.NewsPost, string, error)
	OwnPosts(ctx context.Context, merchantID string, p market.Page) ([]*market.NewsPost, string, error)
	FollowerCount(ctx context.Context, merchantID string) (int64, error)
	PageChanges(ctx context.Context, merchantID string, n int) ([]*market.PageChange, error)
}

// hoursJSON is one opening span.
type hoursJSON struct {
	Day    int    `json:"day"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

// linksJSON are a merchant's links.
type linksJSON struct {
	Website   string `json:"website"`
	Facebook  string `json:"facebook"`
	Instagram string `json:"instagram"`
}

// photoJSON is a page photo.
type photoJSON struct {
	ID           string `json:"id"`
	URL          string `json:"url"`
	Srcset       string `json:"srcset"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	Position     int    `json:"position"`
	Cover        bool   `json:"cover"`
	Hidden       bool   `json:"hidden"`
	HiddenReason string `json:"hidden_reason"`
}

func newPhotoJSON(p *market.PagePhoto, cover bool) photoJSON {
	return photoJSON{ID: p.ID, URL: market.PhotoURL(p, market.CoverWidth), Srcset: market.PhotoSrcset(p), Width: p.Width,
		Height: p.Height, Position: p.Position, Cover: cover, Hidden: p.Hidden, HiddenReason: p.HiddenReason}
}

// photosJSON renders photos by position; the first visible one is the
// cover.
func photosJSON(photos []*market.PagePhoto) []photoJSON {
	out := make([]photoJSON, len(photos))
	covered := false
	for i, p := range photos {
		cover := !covered && !p.Hidden
		covered = covered || cover
		out[i] = newPhotoJSON(p, cover)
	}
	return out
}

func newHoursJSON(h []market.OpeningHours) []hoursJSON {
	out := make([]hoursJSON, len(h))
	for i, s := range h {
		out[i] = hoursJSON{s.Day, s.Opens, s.Closes}
	}
	return out
}

// statusJSON is today's status as a card shows it: "" when none or lapsed.
type statusJSON struct {
	Status      market.OpenStatus `json:"status"`
	StatusNote  string            `json:"status_note"`
	StatusUntil *time.Time        `json:"status_until"`
}

func newStatusJSON(m *market.Merchant, now time.Time) statusJSON {
	st := m.StatusAt(now)
	if st == "" {
		return statusJSON{}
	}
	out := statusJSON{Status: st, StatusNote: m.StatusNote}
	if !m.StatusUntil.IsZero() {
		u := m.StatusUntil.UTC()
		out.StatusUntil = &u
	}
	return out
}

// changeJSON is one recorded change of a page.
type changeJSON struct {
	Who    string    `json:"who"`
	What   string    `json:"what"`
	Detail string    `json:"detail"`
	At     time.Time `json:"at"`
}

// profileJSON is the page as its merchant edits it.
type profileJSON struct {
	Slug          string          `json:"slug"`
	Name          string          `json:"name"`
	Summary       string          `json:"summary"`
	Description   string          `json:"description"`
	DescriptionEN string          `json:"description_en"`
	Address       string          `json:"address"`
	Hours         []hoursJSON     `json:"hours"`
	Links         linksJSON       `json:"links"`
	Suggested     []int64         `json:"suggested_amounts"`
	MinAmount     int64           `json:"min_amount"`
	MaxAmount     int64           `json:"max_amount"`
	Currency      market.Currency `json:"currency"`
	statusJSON
	Photos    []photoJSON  `json:"photos"`
	Followers int64        `json:"followers"`
	Changes   []changeJSON `json:"changes"`
}

// pagesReady fails when the server was built without the page services.
func (s *Server) pagesReady() error {
	if s.cfg.MerchantPages == nil || s.cfg.PageReads == nil {
		return &market.Error{Code: market.EUnavailable, Message: "Les pages des commerces ne sont pas configurées."}
	}
	return nil
}

// pageMerchant returns the merchant whose page the request runs
// (PermPage).
func (s *Server) pageMerchant(c *gin.Context) (*market.Merchant, error) {
	if err := s.pagesReady(); err != nil {
		return nil, err
	}
	return s.merchantFor(c, market.PermPage)
}

// getProfile answers GET /api/v1/merchant/profile.
func (s *Server) getProfile(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	return s.renderProfile(c, m)
}

func (s *Server) renderProfile(c *gin.Context, m *market.Merchant) error {
	ctx := c.Request.Context()
	photos, err := s.cfg.PageReads.PagePhotos(ctx, m.ID, true)
	if err != nil {
		return err
	}
	followers, err := s.cfg.PageReads.FollowerCount(ctx, m.ID)
	if err != nil {
		return err
	}
	changes, err := s.cfg.PageReads.PageChanges(ctx, m.ID, 20)
	if err != nil {
		return err
	}
	out := profileJSON{Slug: m.Slug, Name: m.Name, Summary: m.Summary, Description: m.Description, DescriptionEN: m.DescriptionEN,
		Address: m.Address, Hours: newHoursJSON(m.Hours), Links: linksJSON{m.Website, m.Facebook, m.Instagram},
		Suggested: nonNilInts(m.Suggested), MinAmount: m.MinAmount, MaxAmount: m.MaxAmount, Currency: m.Currency,
		statusJSON: newStatusJSON(m, time.Now()), Photos: photosJSON(photos), Followers: followers,
		Changes: make([]changeJSON, len(changes))}
	for i, ch := range changes {
		out.Changes[i] = changeJSON{Who: ch.ActorName, What: ch.What, Detail: ch.Detail, At: ch.At}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func nonNilInts(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

// profileRequest is what PATCH /api/v1/merchant/profile may change.
type profileRequest struct {
	Summary       *string      `json:"summary"`
	Description   *string      `json:"description"`
	DescriptionEN *string      `json:"description_en"`
	Address       *string      `json:"address"`
	Hours         *[]hoursJSON `json:"hours"`
	Links         *struct {
		Website   *string `json:"website"`
		Facebook  *string `json:"facebook"`
		Instagram *string `json:"instagram"`
	} `json:"links"`
	Suggested *[]int64 `json:"suggested_amounts"`
	MinAmount *int64   `json:"min_amount"`
	MaxAmount *int64   `json:"max_amount"`
}

// patchProfile answers PATCH /api/v1/merchant/profile: any subset of the
// page's fields; unknown fields are a 400, wrong ones too with a French
// message per field.
func (s *Server) patchProfile(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	var req profileRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ch := market.ProfileChange{Summary: req.Summary, Description: req.Description, DescriptionEN: req.DescriptionEN,
		Address: req.Address, Suggested: req.Suggested, MinAmount: req.MinAmount, MaxAmount: req.MaxAmount}
	if req.Hours != nil {
		h := make([]market.OpeningHours, len(*req.Hours))
		for i, s := range *req.Hours {
			h[i] = market.OpeningHours{Day: s.Day, Opens: s.Opens, Closes: s.Closes}
		}
		ch.Hours = &h
	}
	if req.Links != nil {
		ch.Website, ch.Facebook, ch.Instagram = req.Links.Website, req.Links.Facebook, req.Links.Instagram
	}
	updated, err := s.cfg.MerchantPages.UpdateProfile(c.Request.Context(), actor(c), m, ch)
	if err != nil {
		return err
	}
	s.catalogueChanged(c.Request.Context())
	return s.renderProfile(c, updated)
}
