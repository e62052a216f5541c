package api

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// JSONProbe returns a server with one extra route, POST /api/probe, that
// binds a Money the way every money route does, and panics on 666: it lets
// the tests exercise strict decoding and panic recovery before the money
// routes exist.
func JSONProbe() http.Handler {
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.engine.POST("/api/probe", s.handle(func(c *gin.Context) error {
		var m market.Money
		if err := bindJSON(c, &m); err != nil {
			return err
		}
		if err := market.CheckAmount("amount", m.Amount, 0); err != nil {
			return err
		}
		if !m.Currency.Valid() {
			return market.Invalid("currency", "must be cad or eur")
		}
		if m.Amount == 666 {
			panic("probe panic")
		}
		c.JSON(http.StatusOK, m)
		return nil
	}))
	return s
}
