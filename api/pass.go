package api

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// WalletPasses serves phone wallet passes (market.WalletPasses).
type WalletPasses interface {
	ApplePass(ctx context.Context, code string) ([]byte, error)
	LatestApplePass(ctx context.Context, passType, serial, auth string) ([]byte, time.Time, error)
	RegisterApple(ctx context.Context, device, passType, serial, pushToken, auth string) (bool, error)
	UnregisterApple(ctx context.Context, device, passType, serial, auth string) error
	UpdatedApplePasses(ctx context.Context, device, passType, tag string) ([]string, string, error)
	GoogleSaveURL(ctx context.Context, code string) (string, error)
}

// pkpassType is the media type of an Apple Wallet pass.
const pkpassType = "application/vnd.apple.pkpass"

// voucherPass answers GET /api/v1/vouchers/{code}/pass.pkpass: the
// voucher in Apple Wallet (the code is the bearer).
func (s *Server) voucherPass(c *gin.Context) error {
	code, err := s.voucherCode(c)
	if err != nil {
		return err
	}
	b, err := s.cfg.Passes.ApplePass(c.Request.Context(), code)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="bon-solidaire.pkpass"`)
	c.Data(http.StatusOK, pkpassType, b)
	return nil
}

// voucherGoogleWallet answers GET /api/v1/vouchers/{code}/google-wallet:
// the signed "save to Google Wallet" link.
func (s *Server) voucherGoogleWallet(c *gin.Context) error {
	code, err := s.voucherCode(c)
	if err != nil {
		return err
	}
	u, err := s.cfg.Passes.GoogleSaveURL(c.Request.Context(), code)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"save_url": u})
	return nil
}

// Apple's pass web service (developer.apple.com, "Wallet Passes Web
// Service"): devices register the passes they hold, ask which changed, and
// fetch the latest; each request carries the pass's authentication token.

func (s *Server) registerPassDevice(c *gin.Context) error {
	if err := s.limit(c, "passes:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	var req struct {
		PushToken string `json:"pushToken"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	created, err := s.cfg.Passes.RegisterApple(c.Request.Context(), c.Param("device"), c.Param("passType"), c.Param("serial"),
		req.PushToken, c.GetHeader("Authorization"))
	if err != nil {
		return err
	}
	if created {
		c.Status(http.StatusCreated)
	} else {
		c.Status(http.StatusOK)
	}
	return nil
}

func (s *Server) unregisterPassDevice(c *gin.Context) error {
	if err := s.cfg.Passes.UnregisterApple(c.Request.Context(), c.Param("device"), c.Param("passType"), c.Param("serial"),
		c.GetHeader("Authorization")); err != nil {
		return err
	}
	c.Status(http.StatusOK)
	return nil
}

func (s *Server) updatedPasses(c *gin.Context) error {
	if err := s.limit(c, "passes:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	serials, tag, err := s.cfg.Passes.UpdatedApplePasses(c.Request.Context(), c.Param("device"), c.Param("passType"),
		c.Query("passesUpdatedSince"))
	if err != nil {
		return err
	}
	if len(serials) == 0 {
		c.Status(http.StatusNoContent)
		return nil
	}
	c.JSON(http.StatusOK, gin.H{"serialNumbers": serials, "lastUpdated": tag})
	return nil
}

func (s *Server) latestPass(c *gin.Context) error {
	b, modified, err := s.cfg.Passes.LatestApplePass(c.Request.Context(), c.Param("passType"), c.Param("serial"),
		c.GetHeader("Authorization"))
	if err != nil {
		return err
	}
	modified = modified.Truncate(time.Second)
	if since, err := http.ParseTime(c.GetHeader("If-Modified-Since")); err == nil && !modified.After(since) {
		c.Status(http.StatusNotModified)
		return nil
	}
	c.Header("Last-Modified", modified.UTC().Format(http.TimeFormat))
	c.Data(http.StatusOK, pkpassType, b)
	return nil
}

// passLog answers POST /api/v1/passes/v1/log: devices report problems
// with the web service; they are logged, at most 8 KiB of them.
func (s *Server) passLog(c *gin.Context) error {
	if err := s.limit(c, "passes:ip:"+c.ClientIP(), s.cfg.Limits.LookupsPerIP); err != nil {
		return err
	}
	b, _ := io.ReadAll(io.LimitReader(c.Request.Body, 8<<10))
	s.log.WarnContext(c.Request.Context(), "wallet pass device log", "body", string(b))
	c.Status(http.StatusOK)
	return nil
}
