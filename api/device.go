package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// listDevices answers GET /api/v1/merchant/devices.
func (s *Server) listDevices(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	ds, err := s.cfg.Merchants.Devices(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	type deviceOut struct {
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		CreatedAt  time.Time  `json:"created_at"`
		LastSeenAt *time.Time `json:"last_seen_at"`
		Revoked    bool       `json:"revoked"`
	}
	out := make([]deviceOut, len(ds))
	for i, d := range ds {
		out[i] = deviceOut{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt, Revoked: !d.RevokedAt.IsZero()}
		if !d.LastSeenAt.IsZero() {
			out[i].LastSeenAt = &ds[i].LastSeenAt
		}
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}

// startPairing answers POST /api/v1/merchant/devices/pairing {"name"}: a
// code (and the URL its QR holds) that a till exchanges for its token.
func (s *Server) startPairing(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	code, expires, err := s.cfg.SignIn.StartPairing(c.Request.Context(), actor(c), m.ID, req.Name)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"code": code, "expires_at": expires, "pair_url": s.cfg.BaseURL + "/caisse/jumeler?code=" + code})
	return nil
}

// revokeDevice answers POST /api/v1/merchant/devices/{id}/revoke.
func (s *Server) revokeDevice(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermManage)
	if err != nil {
		return err
	}
	if err := s.cfg.Merchants.RevokeDevice(c.Request.Context(), m.ID, c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
