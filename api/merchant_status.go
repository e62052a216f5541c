package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// putStatus answers PUT /api/v1/merchant/status {"status", "note",
// "until"}: today's status, cleared by "".
func (s *Server) putStatus(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	var req struct {
		Status market.OpenStatus `json:"status"`
		Note   string            `json:"note"`
		Until  *time.Time        `json:"until"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var until time.Time
	if req.Until != nil {
		until = *req.Until
	}
	updated, err := s.cfg.MerchantPages.SetStatus(c.Request.Context(), actor(c), m, req.Status, req.Note, until)
	if err != nil {
		return err
	}
	s.catalogueChanged(c.Request.Context())
	out := statusJSON{Status: updated.OpenStatus, StatusNote: updated.StatusNote}
	if !updated.StatusUntil.IsZero() {
		u := updated.StatusUntil.UTC()
		out.StatusUntil = &u
	}
	c.JSON(http.StatusOK, out)
	return nil
}
