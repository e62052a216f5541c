package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
)

// TestApplicationChecks: a business applying picks its city from the list
// (stored as the list writes it; another one is a 400 in French until an
// admin adds it), and gives a business number of its country's shape.
func TestApplicationChecks(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			admin := s.token(demo.AdminEmail)
			n := 0
			application := func(city, currency, registration string) string {
				n++
				return fmt.Sprintf(`{"business": {"name": "Atelier %d", "category": "artisanat", "city": %q,
					"registration": %q, "currency": %q},
					"owner": {"name": "Awa", "email": "atelier-%d@example.org", "password": "mot-de-passe-awa"}}`,
					n, city, registration, currency, n)
			}
			const unknownCity = `"business.city":"Ville inconnue : choisissez-la dans la liste, ou écrivez-nous pour l'ajouter."`
			for _, sc := range []struct {
				name, body string
				status     int
				want       string
			}{
				{"CityOtherSpelling", application(" MONTREAL ", "cad", "1171234567"), 201, `"status":"pending"`},
				{"NEQWithSpaces", application("Québec", "cad", "117 123 4568"), 201, `"status":"pending"`},
				{"SIRET", application("lyon", "eur", "732 829 320 00074"), 201, `"status":"pending"`},
				{"SIRETLaPoste", application("Lyon", "eur", "35600000049837"), 201, `"status":"pending"`},
				{"ErrCityUnknown", application("Montréal-Nord", "cad", "1171234567"), 400, unknownCity},
				{"ErrCityEmpty", application(" ", "cad", "1171234567"), 400, `"business.city":`},
				{"ErrNEQ", application("Montréal", "cad", "117123456"), 400, `"business.registration":"Le NEQ compte 10 chiffres."`},
				{"ErrNEQForEuro", application("Lyon", "eur", "1171234567"), 400,
					`"business.registration":"Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."`},
				{"ErrSIRETKey", application("Lyon", "eur", "73282932000075"), 400, `"code":"invalid_input","message":"Ce numéro SIRET`},
				{"ErrRegistrationMissing", application("Lyon", "eur", ""), 400, `"business.registration":`},
			} {
				t.Run(sc.name, func(t *testing.T) {
					st, out, _ := s.do("POST", "/api/v1/merchant-applications", sc.body, nil)
					if st != sc.status || !strings.Contains(out, sc.want) {
						t.Fatalf("%d %s, want %d with %s", st, out, sc.status, sc.want)
					}
				})
			}
			t.Run("StoredAsTheListWritesThem", func(t *testing.T) {
				st, out, _ := s.do("GET", "/api/v1/admin/merchants", "", admin)
				for _, want := range []string{`"name":"Atelier 1","category":"artisanat","city":"Montréal"`, `"registration":"1171234567"`,
					`"name":"Atelier 2","category":"artisanat","city":"Québec"`, `"registration":"1171234568"`,
					`"name":"Atelier 3","category":"artisanat","city":"Lyon"`, `"registration":"73282932000074"`} {
					if st != 200 || !strings.Contains(out, want) {
						t.Fatalf("%d: %s not in %s", st, want, out)
					}
				}
			})

			t.Run("AdminAddsACity", func(t *testing.T) {
				for _, sc := range []scenario{
					{name: "ErrSignedOut", method: "POST", path: "/api/v1/admin/cities", body: `{"name": "Montréal-Nord"}`, status: 401},
					{name: "ErrNotAdmin", method: "POST", path: "/api/v1/admin/cities", body: `{"name": "Montréal-Nord"}`,
						header: s.token(demo.BoulangerieEmail), status: 404},
					{name: "ErrNoName", method: "POST", path: "/api/v1/admin/cities", body: `{"name": " "}`, header: admin, status: 400,
						want: []string{`"name":`}},
					{name: "ErrCountry", method: "POST", path: "/api/v1/admin/cities", body: `{"name": "Laval", "country": "CAN"}`,
						header: admin, status: 400, want: []string{`"country":`}},
					{name: "ErrUnknownField", method: "POST", path: "/api/v1/admin/cities", body: `{"name": "Laval", "slug": "laval"}`,
						header: admin, status: 400, want: []string{`"slug":"unknown field"`}},
					{name: "Add", method: "POST", path: "/api/v1/admin/cities", body: `{"name": " Montréal-Nord ", "country": "ca"}`,
						header: admin, status: 201, want: []string{`{"city":{"name":"Montréal-Nord","country":"CA"}}`}},
					{name: "ErrTwice", method: "POST", path: "/api/v1/admin/cities", body: `{"name": "MONTREAL-NORD"}`, header: admin,
						status: 409, want: []string{`"code":"conflict"`, "Montréal-Nord"}},
					{name: "Listed", path: "/api/v1/cities", status: 200,
						want: []string{`{"name":"Montréal","country":"CA"}`, `{"name":"Montréal-Nord","country":"CA"}`, `{"name":"Lyon","country":"FR"}`}},
				} {
					t.Run(sc.name, func(t *testing.T) { sc.run(t, s.base) })
				}
				if st, out, _ := s.do("POST", "/api/v1/merchant-applications", application("montreal nord", "cad", "1171234567"), nil); st != 400 {
					t.Fatalf("a hyphen is not a space: %d %s", st, out)
				}
				if st, out, _ := s.do("POST", "/api/v1/merchant-applications", application("MONTRÉAL-NORD", "cad", "1171234567"), nil); st != 201 {
					t.Fatalf("apply in the added city: %d %s", st, out)
				}
			})
		})
	}
}
