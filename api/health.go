package api

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// healthz answers 200 while the process runs.
func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
	return nil
}

// readyz answers 200 when every dependency answers, 503 naming those that
// do not.
func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	var down []string
	for name, p := range s.cfg.Ready {
		if err := p.Ping(ctx); err != nil {
			checks[name] = "down"
			down = append(down, name)
			s.log.WarnContext(ctx, "dependency down", "dependency", name, "err", err)
		} else {
			checks[name] = "ok"
		}
	}
	if len(down) > 0 {
		sort.Strings(down)
		fields := map[string]string{}
		for _, d := range down {
			fields[d] = "not answering"
		}
		return &market.Error{Code: market.EUnavailable, Message: "Service indisponible : une dépendance ne répond pas.", Fields: fields}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
	return nil
}
