package api

import (
	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// merchantFor returns the merchant the request acts for, if the actor may
// do p there. A device acts for its merchant; a person names it with the
// X-Merchant header or ?merchant= (a slug), or has only one. Not being
// a member is a 404, so merchants cannot be probed; a member without the
// permission gets a 403.
func (s *Server) merchantFor(c *gin.Context, p market.Permission) (*market.Merchant, error) {
	a := actor(c)
	ctx := c.Request.Context()
	slug := c.GetHeader("X-Merchant")
	if slug == "" {
		slug = c.Query("merchant")
	}
	var m *market.Merchant
	var err error
	switch {
	case slug != "":
		m, err = s.cfg.Merchants.Merchant(ctx, slug)
		if market.ErrorCode(err) == market.ENotFound {
			return nil, market.NotFound("Commerce")
		}
	case len(a.Merchants) == 1:
		for id := range a.Merchants {
			m, err = s.cfg.Merchants.MerchantByID(ctx, id)
		}
	case len(a.Merchants) == 0:
		return nil, market.NotFound("Commerce")
	default:
		return nil, &market.Error{Code: market.EInvalid, Message: "Précisez le commerce (en-tête X-Merchant).",
			Fields: map[string]string{"merchant": "is required when you belong to several merchants"}}
	}
	if err != nil {
		return nil, err
	}
	if _, member := a.Merchants[m.ID]; !member && !(a.Admin && a.DeviceID == "") {
		return nil, market.NotFound("Commerce")
	}
	if !a.Can(m.ID, p) {
		return nil, &market.Error{Code: market.EForbidden, Message: "Votre rôle ne permet pas cette opération."}
	}
	return m, nil
}

// merchantIDFor is merchantFor for the till's hot paths, which need only
// the merchant's id: an actor acting for one merchant (a paired till, a
// member of one shop) names it without a read. The answers are
// merchantFor's: ENotFound, EForbidden, EInvalid.
func (s *Server) merchantIDFor(c *gin.Context, p market.Permission) (string, error) {
	a := actor(c)
	if len(a.Merchants) == 1 && c.GetHeader("X-Merchant") == "" && c.Query("merchant") == "" {
		for id := range a.Merchants {
			if !a.Can(id, p) {
				return "", &market.Error{Code: market.EForbidden, Message: "Votre rôle ne permet pas cette opération."}
			}
			return id, nil
		}
	}
	m, err := s.merchantFor(c, p)
	if err != nil {
		return "", err
	}
	return m.ID, nil
}
