package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
)

// TestLedgerCSV: the ledger's CSV opens cleanly in a French spreadsheet
// (byte order mark, ";", decimal comma, operations in French) and in an
// English one (",", "12.50"), with the whole voucher code, who redeemed
// (a hostile name written inert) and the currency in upper case; the
// day's list says which redemptions can still be undone.
func TestLedgerCSV(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			raw, _ := s.db.RawDB()
			if _, err := raw.ExecContext(context.Background(), `UPDATE users SET name = $1 WHERE email = $2`,
				"=Mireille+Caisse", demo.BoulangerieEmail); err != nil {
				t.Fatal(err)
			}
			owner := s.token(demo.BoulangerieEmail)
			code := s.paidVoucher("boulangerie-du-quartier", 5000)
			redeem := func(amount string) string {
				st, out, _ := s.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", `{"amount": `+amount+`}`,
					with(owner, "Idempotency-Key", market.NewID("key")))
				if st != 201 {
					t.Fatalf("redeem: %d %s", st, out)
				}
				var r struct{ Redemption struct{ ID string } }
				json.Unmarshal([]byte(out), &r)
				return r.Redemption.ID
			}
			undone := redeem("1250")
			if st, out, _ := s.do("POST", "/api/v1/merchant/redemptions/"+undone+"/reverse", "",
				with(owner, "Idempotency-Key", market.NewID("key"))); st != 200 {
				t.Fatalf("reverse: %d %s", st, out)
			}
			kept := redeem("1250")

			// The day's list: the undone one says when, the other can be undone.
			st, out, _ := s.do("GET", "/api/v1/merchant/redemptions", "", owner)
			var day struct {
				Data []struct {
					ID         string
					ReversedAt *time.Time `json:"reversed_at"`
					UndoUntil  time.Time  `json:"undo_until"`
					Undoable   bool
				}
			}
			if err := json.Unmarshal([]byte(out), &day); st != 200 || err != nil || len(day.Data) != 2 {
				t.Fatalf("redemptions: %d %v %s", st, err, out)
			}
			for _, r := range day.Data {
				switch {
				case r.ID == undone && (r.ReversedAt == nil || r.Undoable):
					t.Errorf("the undone redemption: %s", out)
				case r.ID == kept && (r.ReversedAt != nil || !r.Undoable || time.Until(r.UndoUntil) < 29*time.Minute):
					t.Errorf("the kept redemption: %s", out)
				}
			}

			// Past its 30 minutes, no longer undoable.
			if _, err := raw.ExecContext(context.Background(), `UPDATE redemptions SET created_at = created_at - $1 WHERE id = $2`,
				int64(31*time.Minute/time.Millisecond), kept); err != nil {
				t.Fatal(err)
			}
			since := url.QueryEscape(time.Now().Add(-2 * time.Hour).Format(time.RFC3339))
			if st, out, _ := s.do("GET", "/api/v1/merchant/redemptions?from="+since, "", owner); st != 200 ||
				strings.Count(out, `"undoable":false`) != 2 {
				t.Errorf("past the window: %d %s", st, out)
			}

			type want struct {
				header, comma, amount, kind, reversal, issue, fifty string
			}
			for _, c := range []struct {
				name    string
				path    string
				headers map[string]string
				want    want
			}{
				{"French", "/api/v1/merchant/ledger?lang=fr", with(owner, "Accept", "text/csv"),
					want{"opération", ";", "-12,50", "Encaissement", "Annulation", "Émission", "50,00"}},
				{"FrenchByHeader", "/api/v1/merchant/ledger?format=csv", with(owner, "Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5"),
					want{"opération", ";", "-12,50", "Encaissement", "Annulation", "Émission", "50,00"}},
				{"English", "/api/v1/merchant/ledger?lang=en", with(owner, "Accept", "text/csv", "Accept-Language", "fr-CA"),
					want{"operation", ",", "-12.50", "Redemption", "Reversal", "Issue", "50.00"}},
			} {
				t.Run(c.name, func(t *testing.T) {
					st, out, h := s.do("GET", c.path, "", c.headers)
					if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.HasPrefix(out, "\ufeff") {
						t.Fatalf("%d %q %q", st, h.Get("Content-Type"), out)
					}
					r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
					r.Comma = rune(c.want.comma[0])
					rows, err := r.ReadAll()
					if err != nil || len(rows) != 5 || len(rows[0]) != 8 || rows[0][1] != c.want.header {
						t.Fatalf("%v: %q", err, rows)
					}
					find := func(kind string) []string {
						for _, row := range rows[1:] {
							if row[1] == kind {
								return row
							}
						}
						t.Fatalf("no %q row: %q", kind, rows)
						return nil
					}
					red := find(c.want.kind)
					if red[2] != code || red[3] != c.want.amount || red[5] != "CAD" || red[6] != "'=Mireille+Caisse" {
						t.Errorf("redemption row: %q", red)
					}
					if _, err := time.Parse("2006-01-02 15:04:05", red[0]); err != nil {
						t.Errorf("date %q: %v", red[0], err)
					}
					if issue := find(c.want.issue); issue[3] != c.want.fifty || issue[6] != "" {
						t.Errorf("issue row: %q", issue)
					}
					if back := find(c.want.reversal); back[3] != c.want.amount[1:] || back[4] != c.want.fifty || back[6] != "'=Mireille+Caisse" {
						t.Errorf("reversal row: %q", back)
					}
				})
			}
		})
	}
}
