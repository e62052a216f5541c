package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

func TestFollowerMails(t *testing.T) {
	c := Composer{BaseURL: "https://solidaire.example"}
	m := &market.Merchant{Name: "Boulangerie du quartier", Slug: "boulangerie-du-quartier", Currency: market.CAD}
	f := &market.Follower{Email: "awa@example.org", Lang: "fr", UnsubscribeToken: "TOK"}
	confirm, err := c.FollowConfirmation(f, m, "https://solidaire.example/suivre/confirmer?token=abc")
	if err != nil || !strings.Contains(confirm.Text, "/suivre/confirmer?token=abc") || !strings.Contains(confirm.Text, market.FollowConsentFR) {
		t.Fatalf("confirmation: %v\n%s", err, confirm.Text)
	}
	links := market.FollowerLinks{Page: "https://solidaire.example/m/b/nouvelles/post_1",
		Unsubscribe: "https://solidaire.example/suivre/desabonner?token=TOK", OneClick: "https://solidaire.example/api/v1/followers/unsubscribe?token=TOK"}
	news, err := c.FollowerNews(f, m, &market.NewsPost{ID: "post_1", Body: "Croissants demain"}, links)
	if err != nil || !strings.Contains(news.Text, "Croissants demain") || !strings.Contains(news.Text, links.Unsubscribe) {
		t.Fatalf("news: %v\n%s", err, news.Text)
	}
	ev, err := c.FollowerEvent(f, m, &market.Event{Title: "Soirée pain", StartsAt: time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC), Currency: market.CAD}, links)
	if err != nil || !strings.Contains(ev.Subject, "Soirée pain") {
		t.Fatalf("event: %v %s", err, ev.Subject)
	}

	// The sender writes the list headers, and no other header a mail names.
	sink := testenv.SMTP(t)
	news.Headers["Bcc"] = "evil@example.org"
	if err := sinkSender(t, sink, false).Send(context.Background(), news); err != nil {
		t.Fatal(err)
	}
	_, msg, _ := received(t, sink)
	if got := msg.Header.Get("List-Unsubscribe"); got != "<"+links.Unsubscribe+">, <"+links.OneClick+">" {
		t.Errorf("List-Unsubscribe %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Error("a mail's headers added a Bcc")
	}
}
