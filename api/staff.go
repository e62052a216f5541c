package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// listStaff answers GET /api/v1/merchant/staff.
func (s *Server) listStaff(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	staff, err := s.cfg.Merchants.Staff(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	type memberOut struct {
		ID    string      `json:"id"`
		Email string      `json:"email"`
		Name  string      `json:"name"`
		Role  market.Role `json:"role"`
	}
	out := make([]memberOut, len(staff))
	for i, p := range staff {
		out[i] = memberOut{p.UserID, p.Email, p.Name, p.Role}
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}

// inviteStaff answers POST /api/v1/merchant/staff/invitations
// {"email", "lang", "role": "staff"|"community"} (staff when absent).
func (s *Server) inviteStaff(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	var req struct {
		Email string      `json:"email"`
		Lang  string      `json:"lang"`
		Role  market.Role `json:"role"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.cfg.SignIn.InviteStaff(c.Request.Context(), actor(c), m, req.Email, req.Lang, req.Role); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "invited"})
	return nil
}

// removeStaff answers DELETE /api/v1/merchant/staff/{user}. An owner cannot
// remove themself (a merchant must keep an owner).
func (s *Server) removeStaff(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	if c.Param("user") == actor(c).UserID {
		return &market.Error{Code: market.EConflict, Message: "Vous ne pouvez pas vous retirer vous-même."}
	}
	if err := s.cfg.Merchants.RevokeMerchant(c.Request.Context(), c.Param("user"), m.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
