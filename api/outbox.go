package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// adminOutbox answers GET /api/v1/admin/outbox?status=held: the emails,
// readable when no SMTP server is configured.
func (s *Server) adminOutbox(c *gin.Context) error {
	ms, err := s.cfg.Onboarding.Mails(c.Request.Context(), market.MailStatus(c.Query("status")), 100)
	if err != nil {
		return err
	}
	type mailOut struct {
		ID        string    `json:"id"`
		To        string    `json:"to"`
		Subject   string    `json:"subject"`
		Text      string    `json:"text"`
		Status    string    `json:"status"`
		Attempts  int       `json:"attempts"`
		LastError string    `json:"last_error,omitempty"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := make([]mailOut, len(ms))
	for i, m := range ms {
		out[i] = mailOut{m.ID, m.To, m.Subject, m.Text, string(m.Status), m.Attempts, m.LastError, m.CreatedAt}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"data": out, "next_cursor": ""})
	return nil
}
