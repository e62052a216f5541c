package api

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Followers lets citizens follow merchants by email (market.FollowerService).
type Followers interface {
	Follow(ctx context.Context, m *market.Merchant, email, lang string) error
	ConfirmFollower(ctx context.Context, token string) (*market.Merchant, error)
	Unsubscribe(ctx context.Context, token string) (*market.Merchant, error)
}

// followsPerEmail bounds the confirmation mails sent to one address.
var followsPerEmail = Rate{5, time.Hour}

// follow answers POST /api/v1/merchants/{slug}/followers {"email", "lang"}:
// 202 whether or not the address follows already, so nobody learns who
// does; a confirmation mail asks the address to confirm.
func (s *Server) follow(c *gin.Context) error {
	if err := s.limit(c, "follow:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	if s.cfg.Followers == nil {
		return &market.Error{Code: market.EUnavailable, Message: "Le suivi des commerces n'est pas configuré."}
	}
	ctx := c.Request.Context()
	m, err := s.cfg.Catalogue.Merchant(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if m.Status != market.MerchantApproved {
		return market.NotFound("Commerce")
	}
	var req struct {
		Email string `json:"email"`
		Lang  string `json:"lang"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	email, err := market.CheckEmail("email", req.Email, true)
	if err != nil {
		return err
	}
	if err := s.limit(c, "follow:email:"+email, followsPerEmail); err != nil {
		return err
	}
	if err := s.cfg.Followers.Follow(ctx, m, email, req.Lang); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "Vérifiez vos courriels : un lien confirme que vous suivez ce commerce."})
	return nil
}

// confirmFollower answers POST /api/v1/followers/confirm {"token"}.
func (s *Server) confirmFollower(c *gin.Context) error {
	if err := s.limit(c, "follow:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	if s.cfg.Followers == nil {
		return &market.Error{Code: market.EUnavailable, Message: "Le suivi des commerces n'est pas configuré."}
	}
	var req struct {
		Token string `json:"token"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	m, err := s.cfg.Followers.ConfirmFollower(c.Request.Context(), req.Token)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"merchant": gin.H{"slug": m.Slug, "name": m.Name}})
	return nil
}

// unsubscribe answers POST /api/v1/followers/unsubscribe {"token"}, and
// the RFC 8058 one-click form a mail client posts: ?token=T with the body
// List-Unsubscribe=One-Click.
func (s *Server) unsubscribe(c *gin.Context) error {
	if err := s.limit(c, "follow:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	if s.cfg.Followers == nil {
		return &market.Error{Code: market.EUnavailable, Message: "Le suivi des commerces n'est pas configuré."}
	}
	token := c.Query("token")
	if token != "" {
		// The one-click form: whatever the body says, the token decides.
		io.Copy(io.Discard, io.LimitReader(c.Request.Body, 4096))
	} else {
		var req struct {
			Token string `json:"token"`
		}
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		token = req.Token
	}
	m, err := s.cfg.Followers.Unsubscribe(c.Request.Context(), token)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"merchant": gin.H{"slug": m.Slug, "name": m.Name}, "unsubscribed": true})
	return nil
}
