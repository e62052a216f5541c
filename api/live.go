package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// live answers GET /api/v1/merchant/live: server-sent events of the
// merchant's redemptions, from every instance (through Redis when
// configured), with a heartbeat so proxies keep the stream open.
func (s *Server) live(c *gin.Context) error {
	m, err := s.merchantFor(c, market.PermDashboard)
	if err != nil {
		return err
	}
	if s.cfg.Feed == nil {
		return &market.Error{Code: market.EUnavailable, Message: "Flux en direct indisponible."}
	}
	ctx := c.Request.Context()
	events, stop, err := s.cfg.Feed.Subscribe(ctx, market.MerchantChannel(m.ID))
	if err != nil {
		return err
	}
	defer stop()
	// The server's write timeout is for ordinary answers; a stream lives
	// until the client goes.
	rc := http.NewResponseController(c.Writer)
	rc.SetWriteDeadline(time.Time{})
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	fmt.Fprintf(c.Writer, "retry: 3000\nevent: ready\ndata: {}\n\n")
	rc.Flush()
	beat := time.NewTicker(25 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			fmt.Fprint(c.Writer, ": heartbeat\n\n")
		case msg, ok := <-events:
			if !ok {
				return nil
			}
			fmt.Fprintf(c.Writer, "event: redemption\ndata: %s\n\n", msg)
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
