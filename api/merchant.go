package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// merchantCard is a merchant in a listing.
type merchantCard struct {
	Slug     string            `json:"slug"`
	Name     string            `json:"name"`
	Category market.Category   `json:"category"`
	City     string            `json:"city"`
	Summary  string            `json:"summary"`
	Currency market.Currency   `json:"currency"`
	Accepts  []market.ItemKind `json:"accepts"`
	statusJSON
	// Cover is the cover photo's 640 px width, null without one.
	Cover       *string `json:"cover"`
	CoverSrcset string  `json:"cover_srcset"`
}

// merchantPage is one merchant with what can be bought from it.
type merchantPage struct {
	merchantCard
	CategoryLabel    market.CategoryInfo `json:"category_label"`
	Address          string              `json:"address"`
	Description      string              `json:"description"`
	Website          string              `json:"website,omitempty"`
	MinAmount        market.Money        `json:"min_amount"`
	MaxAmount        market.Money        `json:"max_amount"`
	SuggestedAmounts []market.Money      `json:"suggested_amounts"`
	Events           []eventJSON         `json:"events"`
	DescriptionEN    string              `json:"description_en"`
	Hours            []hoursJSON         `json:"hours"`
	Links            linksJSON           `json:"links"`
	Photos           []photoJSON         `json:"photos"`
	Posts            []postJSON          `json:"posts"`
	Followers        int64               `json:"followers"`
}

func newMerchantCard(m *market.Merchant) merchantCard {
	accepts := m.Accepts
	if accepts == nil {
		accepts = []market.ItemKind{}
	}
	card := merchantCard{Slug: m.Slug, Name: m.Name, Category: m.Category, City: m.City,
		Summary: m.Summary, Currency: m.Currency, Accepts: accepts, statusJSON: newStatusJSON(m, time.Now())}
	if m.Cover != nil {
		u := market.PhotoURL(m.Cover, market.CoverWidth)
		card.Cover, card.CoverSrcset = &u, market.PhotoSrcset(m.Cover)
	}
	return card
}

// listMerchants answers GET /api/v1/merchants?q=&category=&city=&status=&limit=&cursor=.
func (s *Server) listMerchants(c *gin.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	q, err := text(c, "q", 100)
	if err != nil {
		return err
	}
	city, err := text(c, "city", 100)
	if err != nil {
		return err
	}
	cat := market.Category(c.Query("category"))
	if cat != "" && !cat.Valid() {
		return market.Invalid("category", "unknown category")
	}
	status := market.OpenStatus(c.Query("status"))
	if status != "" && !status.Valid() {
		return market.Invalid("status", "Statut inconnu (open, takeout, delivery, online ou closed).")
	}
	f := market.MerchantFilter{Query: q, Category: cat, City: city, Status: status, Page: p}
	key := strings.Join([]string{"merchants", market.Fold(q), string(cat), market.Fold(city), string(status), strconv.Itoa(p.Limit), p.Cursor}, "\x1f")
	return s.cache.serve(c, key, func() (int, any, error) {
		// Other requests may be waiting on this answer: the first caller
		// hanging up must not fail them.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
		defer cancel()
		ms, next, err := s.cfg.Catalogue.ListMerchants(ctx, f)
		if err != nil {
			return 0, nil, err
		}
		out := list[merchantCard]{Data: make([]merchantCard, len(ms)), NextCursor: next}
		for i, m := range ms {
			out.Data[i] = newMerchantCard(m)
		}
		return http.StatusOK, out, nil
	})
}

// getMerchant answers GET /api/v1/merchants/{slug}: the merchant, its
// amounts and its upcoming events. Merchants not yet approved are unknown.
func (s *Server) getMerchant(c *gin.Context) error {
	ctx := c.Request.Context()
	m, err := s.cfg.Catalogue.Merchant(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if m.Status != market.MerchantApproved {
		return market.NotFound("Commerce")
	}
	events, _, err := s.cfg.Catalogue.ListEvents(ctx, market.EventFilter{Merchant: m.Slug, Upcoming: true, Page: market.Page{Limit: market.MaxLimit}})
	if err != nil {
		return err
	}
	cat, _ := market.CategoryByslug(m.Category)
	out := merchantPage{
		merchantCard:     newMerchantCard(m),
		CategoryLabel:    cat,
		Address:          m.Address,
		Description:      m.Description,
		Website:          m.Website,
		MinAmount:        market.Money{Amount: m.MinAmount, Currency: m.Currency},
		MaxAmount:        market.Money{Amount: m.MaxAmount, Currency: m.Currency},
		SuggestedAmounts: make([]market.Money, len(m.Suggested)),
		Events:           make([]eventJSON, len(events)),
		DescriptionEN:    m.DescriptionEN,
		Hours:            newHoursJSON(m.Hours),
		Links:            linksJSON{m.Website, m.Facebook, m.Instagram},
		Photos:           []photoJSON{},
		Posts:            []postJSON{},
	}
	if s.cfg.PageReads != nil {
		photos, err := s.cfg.PageReads.PagePhotos(ctx, m.ID, false)
		if err != nil {
			return err
		}
		posts, _, err := s.cfg.PageReads.MerchantPosts(ctx, m.ID, market.Page{Limit: 5})
		if err != nil {
			return err
		}
		if out.Followers, err = s.cfg.PageReads.FollowerCount(ctx, m.ID); err != nil {
			return err
		}
		out.Photos, out.Posts = photosJSON(photos), postsJSON(m, posts, photos)
	}
	for i, a := range m.Suggested {
		out.SuggestedAmounts[i] = market.Money{Amount: a, Currency: m.Currency}
	}
	for i, e := range events {
		out.Events[i] = newEventJSON(e)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// listCategories answers GET /api/v1/categories: the closed list of
// categories with their French and English names.
func (s *Server) listCategories(c *gin.Context) error {
	c.JSON(http.StatusOK, list[market.CategoryInfo]{Data: market.Categories})
	return nil
}
