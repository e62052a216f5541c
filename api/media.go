package api

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// Media serves stored files (market.FileStore).
type Media interface {
	Get(ctx context.Context, key string) (io.ReadCloser, *market.FileInfo, error)
}

// mediaKey is what GET /media/ serves: page photos' widths, nothing else.
var mediaKey = regexp.MustCompile(`^photos/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}-[0-9]{1,5}\.jpg$`)

// media answers GET /media/{key}: a stored photo width, cached for a year
// (a key never changes content); 404 for any other key.
func (s *Server) media(c *gin.Context) error {
	key := strings.TrimPrefix(c.Param("key"), "/")
	if s.cfg.Media == nil || !mediaKey.MatchString(key) {
		return market.NotFound("Fichier")
	}
	r, info, err := s.cfg.Media.Get(c.Request.Context(), key)
	if err != nil {
		return err
	}
	defer r.Close()
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", "image/jpeg")
	h.Set("X-Content-Type-Options", "nosniff")
	if info != nil && info.ETag != "" {
		etag := info.ETag
		if !strings.HasPrefix(etag, `"`) && !strings.HasPrefix(etag, `W/"`) {
			etag = `"` + etag + `"`
		}
		h.Set("ETag", etag)
		if match := c.GetHeader("If-None-Match"); match != "" && (match == etag || match == "*") {
			c.Status(http.StatusNotModified)
			return nil
		}
	}
	if info != nil && info.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	}
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return nil
	}
	_, err = io.Copy(c.Writer, r)
	if err != nil {
		s.log.WarnContext(c.Request.Context(), "media copy", "key", key, "err", err)
	}
	return nil
}
