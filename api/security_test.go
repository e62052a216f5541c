package api_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/mail"
	"github.com/solidaire-app/solidaire/market"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// keyRecorder is a limiter that remembers the keys it was asked about.
type keyRecorder struct {
	api.Limiter
	mu   sync.Mutex
	keys []string
}

func (r *keyRecorder) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return r.Limiter.Allow(ctx, key, limit, window)
}

func (r *keyRecorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keys[len(r.keys)-1]
}

// TestForwardedFor: the per-address limits count the address the trusted
// proxy saw, the right-most one of X-Forwarded-For that is not a trusted
// proxy; what a client writes itself, on the left, changes nothing, and
// without trusted proxies the header is not read at all.
func TestForwardedFor(t *testing.T) {
	db := openSeeded(t, filepath.Join(t.TempDir(), "solidaire.db"), true)
	lookups := api.Rate{Count: 3, Per: time.Hour}
	serve := func(proxies []string) (*httptest.Server, *keyRecorder) {
		rec := &keyRecorder{Limiter: cache.NewMemory()}
		srv := httptest.NewServer(api.New(api.Config{Catalogue: db, Orders: db, Limiter: rec, Logger: discard,
			Limits: api.Limits{LookupsPerIP: lookups}, TrustedProxies: proxies}))
		t.Cleanup(srv.Close)
		return srv, rec
	}
	lookup := func(srv *httptest.Server, forwarded string) int {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/vouchers/AAAABBBBCCCCDDDDEEEE", nil)
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	t.Run("BehindTrustedProxy", func(t *testing.T) {
		srv, rec := serve([]string{"127.0.0.1/32"})
		// A proxy that appends: the client wrote 1.2.3.4, the proxy saw
		// 203.0.113.9.
		if st := lookup(srv, "1.2.3.4, 203.0.113.9"); st != 404 {
			t.Fatalf("lookup: %d", st)
		}
		if got := rec.last(); got != "voucher:ip:203.0.113.9" {
			t.Fatalf("limited as %q, want 203.0.113.9", got)
		}
		// A proxy that overwrites (deploy/nginx.conf) says the same.
		lookup(srv, "203.0.113.9")
		lookup(srv, "10.9.9.9, 203.0.113.9")
		// The client varies what it writes: still one address, limited.
		for i := 0; i < 5; i++ {
			forged := fmt.Sprintf("198.51.100.%d, 203.0.113.9", i)
			if st := lookup(srv, forged); st != 429 {
				t.Fatalf("forged %q after the limit: %d, want 429", forged, st)
			}
		}
		if st := lookup(srv, "198.51.100.200"); st != 404 {
			t.Fatalf("another client: %d, want 404", st)
		}
	})

	t.Run("NoTrustedProxy", func(t *testing.T) {
		srv, rec := serve(nil)
		for i := 0; i < 3; i++ {
			if st := lookup(srv, fmt.Sprintf("192.0.2.%d", i)); st != 404 {
				t.Fatalf("lookup %d: %d", i, st)
			}
			if got := rec.last(); got != "voucher:ip:127.0.0.1" {
				t.Fatalf("limited as %q, want the peer's address", got)
			}
		}
		for _, forged := range []string{"192.0.2.77", "1.2.3.4, 203.0.113.10", ""} {
			if st := lookup(srv, forged); st != 429 {
				t.Fatalf("X-Forwarded-For %q after the limit: %d, want 429", forged, st)
			}
		}
		// X-Real-IP is not read either.
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/vouchers/AAAABBBBCCCCDDDDEEEE", nil)
		req.Header.Set("X-Real-IP", "192.0.2.99")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 429 {
			t.Fatalf("X-Real-IP after the limit: %d, want 429", res.StatusCode)
		}
	})
}

// TestStrictTransport: every answer carries Strict-Transport-Security when
// the base URL is HTTPS (API, errors, pages, the answer to a malformed
// request), and none does with an HTTP base URL.
func TestStrictTransport(t *testing.T) {
	for _, base := range []string{"https://solidaire.example", "http://127.0.0.1:8080"} {
		t.Run(strings.Split(base, ":")[0], func(t *testing.T) {
			h := api.New(api.Config{BaseURL: base, Logger: discard, Pages: stubPages{},
				Ready: map[string]api.Pinger{"redis": downPinger{}}})
			srv := httptest.NewUnstartedServer(h)
			srv.Listener = h.Listener(srv.Listener)
			srv.Start()
			defer srv.Close()
			want := ""
			if strings.HasPrefix(base, "https") {
				want = "max-age=31536000; includeSubDomains"
			}
			for _, path := range []string{"/healthz", "/readyz", "/api/v1/nope", "/m/boulangerie", "/nowhere"} {
				res, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if got := res.Header.Get("Strict-Transport-Security"); got != want {
					t.Errorf("%s (%d): Strict-Transport-Security %q, want %q", path, res.StatusCode, got, want)
				}
			}
			res, _ := rawGet(t, srv.Listener.Addr().String(), "/api/v1/merchants/%zz")
			if got := res.Header.Get("Strict-Transport-Security"); got != want {
				t.Errorf("malformed request: Strict-Transport-Security %q, want %q", got, want)
			}
		})
	}
}

// rawGet sends a request line as it is, which Go's client would refuse to
// write, and reads the answer.
func rawGet(t *testing.T, addr, target string, headers ...string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: solidaire.test\r\n%s\r\n", target, strings.Join(headers, ""))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestMalformedAddress: a bad percent-escape under /api is a 400 in the
// contract's shape, over real HTTP. net/http refuses a bad escape in the
// path before any handler, with plain text: Server.Listener answers
// instead. Pages get a 400 page.
func TestMalformedAddress(t *testing.T) {
	db := openSeeded(t, filepath.Join(t.TempDir(), "solidaire.db"), true)
	h := api.New(api.Config{Catalogue: db, Orders: db, QR: func(string) ([]byte, error) { return []byte("png"), nil },
		Logger: discard, Pages: stubPages{}})

	t.Run("NetHTTPAlone", func(t *testing.T) {
		// What the listener is for: without it, net/http's own answer.
		srv := httptest.NewServer(h)
		defer srv.Close()
		res, body := rawGet(t, srv.Listener.Addr().String(), "/api/v1/merchants/%zz")
		if res.StatusCode != 400 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || body != "400 Bad Request" {
			t.Logf("net/http now answers a bad escape itself with %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	})

	srv := httptest.NewUnstartedServer(h)
	srv.Listener = h.Listener(srv.Listener)
	srv.Start()
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	for _, sc := range []struct {
		name, target, header string
		api                  bool
	}{
		{"PathEscape", "/api/v1/merchants/%zz", "", true},
		{"TruncatedEscape", "/api/v1/vouchers/%E0%A4%A/qr.png", "", true},
		{"NotUTF8", "/api/v1/vouchers/%E0%A4/qr.png", "", true},
		{"QueryEscape", "/api/v1/merchants?q=%zz", "", true},
		{"QueryNotUTF8", "/api/v1/merchants?city=%FF", "", true},
		{"Healthz", "/healthz%zz", "", false},
		{"AbsoluteForm", "http://solidaire.test/api/v1/merchants/%zz", "", true},
		{"BadHeader", "/api/v1/merchants", "Bad Header: x\r\n", true},
		{"Page", "/m/%zz", "", false},
	} {
		t.Run(sc.name, func(t *testing.T) {
			res, body := rawGet(t, addr, sc.target, sc.header)
			if res.StatusCode != 400 {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			if res.Header.Get("X-Request-ID") == "" {
				t.Errorf("no X-Request-ID")
			}
			if !sc.api {
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Adresse invalide") {
					t.Fatalf("page: %q %s", res.Header.Get("Content-Type"), body)
				}
				return
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &e) != nil ||
				e.Error.Code != "bad_request" || e.Error.Message == "" {
				t.Fatalf("not the contract's error: %q %s", res.Header.Get("Content-Type"), body)
			}
		})
	}
	t.Run("WellFormedStillServed", func(t *testing.T) {
		for _, target := range []string{"/api/v1/merchants/boulangerie-du-quartier", "/api/v1/merchants?q=caf%C3%A9"} {
			if res, body := rawGet(t, addr, target); res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", target, res.StatusCode, body)
			}
		}
		if res, body := rawGet(t, addr, "/m/caf%C3%A9"); !strings.Contains(body, "og:title") {
			t.Fatalf("a page: %d %s", res.StatusCode, body)
		}
		if res, _ := rawGet(t, addr, "/api/v1/merchants/caf%C3%A9"); res.StatusCode != 404 {
			t.Fatalf("unknown merchant: %d", res.StatusCode)
		}
	})
}

// formulaStart is what a spreadsheet reads as the start of a formula.
const formulaStart = "=+-@\t\r"

var plainNegative = regexp.MustCompile(`^-[0-9]+([.,][0-9]+)?$`)

// csvCells downloads an export and returns its cells, after checking that
// none would be read as a formula: only a plain negative number may begin
// with "-".
func csvCells(t *testing.T, s *shop, path string, who map[string]string) [][]string {
	t.Helper()
	st, out, h := s.do("GET", path, "", who)
	if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("%s: %d %q %s", path, st, h.Get("Content-Type"), out)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.FieldsPerRecord = -1
	if strings.Count(strings.SplitN(out, "\n", 2)[0], ";") > strings.Count(strings.SplitN(out, "\n", 2)[0], ",") {
		r.Comma = ';'
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, out)
	}
	if len(rows) < 2 {
		t.Fatalf("%s: no rows\n%s", path, out)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune(formulaStart, rune(cell[0])) && !plainNegative.MatchString(cell) {
				t.Errorf("%s: cell %q would be read as a formula", path, cell)
			}
		}
	}
	return rows
}

func hasCell(rows [][]string, cell string) bool {
	for _, row := range rows {
		if slices.Contains(row, cell) {
			return true
		}
	}
	return false
}

// TestCSVExportsInert: hostile labels, ambassadors and merchant names come
// out of every CSV export inert, and negative amounts stay numbers.
func TestCSVExportsInert(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	ctx := context.Background()
	hostile := []string{`=HYPERLINK("http://evil","x")`, "+1+1", "@SUM(A1)", "-2+3", "-5", "=1+1"}

	// Campaign statistics: a link per hostile label, with a hostile
	// ambassador.
	org := s.token(demo.OrganisateurEmail)
	for i, label := range hostile {
		body, _ := json.Marshal(map[string]string{"channel": "facebook", "label": label, "ambassador": hostile[(i+1)%len(hostile)]})
		if st, out, _ := s.do("POST", "/api/v1/organiser/campaigns/billetsolidaire/links", string(body), org); st != 201 {
			t.Fatalf("link %q: %d %s", label, st, out)
		}
	}
	rows := csvCells(t, s, "/api/v1/organiser/campaigns/billetsolidaire/stats?format=csv", org)
	for _, label := range hostile {
		if !hasCell(rows, "'"+label) {
			t.Errorf("campaign stats: label %q not written as inert text '%s", label, label)
		}
	}

	// The merchant's ledger: negative amounts (redemptions) stay numbers.
	owner := s.token(demo.BoulangerieEmail)
	code := s.paidVoucher("boulangerie-du-quartier", 5000)
	if st, out, _ := s.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", `{"amount": 1250}`,
		with(owner, "Idempotency-Key", market.NewID("key"))); st != 201 {
		t.Fatalf("redeem: %d %s", st, out)
	}
	rows = csvCells(t, s, "/api/v1/merchant/ledger?format=csv", owner)
	if !hasCell(rows, "-12.50") && !hasCell(rows, "-12,50") {
		t.Errorf("ledger: the redemption's negative amount is not a number: %v", rows)
	}

	// A programme's settlement runs and a merchant's statements, with a
	// hostile merchant name.
	raw, _ := s.db.RawDB()
	if _, err := raw.ExecContext(ctx, `UPDATE merchants SET name = $1 WHERE slug = $2`, `=HYPERLINK("http://evil","café")`, "cafe-des-cantons"); err != nil {
		t.Fatal(err)
	}
	admin := s.token(demo.AdminEmail)
	card := s.card(sherbrooke, "awa@example.org", 5000)
	if st, out := s.redeemAt(s.at(admin, "cafe-des-cantons"), card, 7000); st != 201 {
		t.Fatalf("redeem the card: %d %s", st, out)
	}
	s.programmes.Now = func() time.Time { return time.Now().Add(time.Hour) } // past the till's undo window
	town := s.token(demo.VilleEmail)
	if st, out, _ := s.do("POST", "/api/v1/organiser/programmes/"+sherbrooke+"/settlements", `{}`, town); st != 201 {
		t.Fatalf("settle: %d %s", st, out)
	}
	rows = csvCells(t, s, "/api/v1/organiser/programmes/"+sherbrooke+"/settlements?format=csv", town)
	if !hasCell(rows, `'=HYPERLINK("http://evil","café")`) {
		t.Errorf("settlements: the merchant's name is not inert text: %v", rows)
	}
	csvCells(t, s, "/api/v1/merchant/programmes/"+sherbrooke+"/statements?format=csv", s.at(admin, "cafe-des-cantons"))
}

// TestApplicationKeepsAccountsSecret: applying with an address that has an
// account answers exactly as with a new address; nothing is created, and
// the account's owner gets a mail instead. A taken business name does not
// refuse the application either (the answer would tell, by comparison).
func TestApplicationKeepsAccountsSecret(t *testing.T) {
	app := func(name, email string) string {
		return fmt.Sprintf(`{"business": {"name": %q, "category": "cafe", "city": "Montréal", "address": "1 rue X",
			"registration": "1171234567", "currency": "cad", "summary": "Un café"},
			"owner": {"name": "Zoé", "email": %q, "password": "mot-de-passe-zoe"}}`, name, email)
	}
	fresh, known := newShop(t, "sqlite", false, api.Limits{}), newShop(t, "sqlite", false, api.Limits{})
	st1, out1, _ := fresh.do("POST", "/api/v1/merchant-applications", app("Café des Arts", "zoe@example.org"), nil)
	st2, out2, _ := known.do("POST", "/api/v1/merchant-applications", app("Café des Arts", demo.LibrairieEmail), nil)
	if st1 != 201 || st1 != st2 || out1 != out2 {
		t.Fatalf("answers differ:\nnew address:   %d %s\nknown address: %d %s", st1, out1, st2, out2)
	}
	ctx := context.Background()
	if _, err := known.db.Merchant(ctx, "cafe-des-arts"); market.ErrorCode(err) != market.ENotFound {
		t.Fatalf("a merchant was created for the known address: %v", err)
	}
	mails, _ := known.db.Mails(ctx, "", 10)
	if len(mails) == 0 || mails[0].To != demo.LibrairieEmail || !strings.Contains(mails[0].Subject, "demande d'inscription avec votre adresse") ||
		!strings.Contains(mails[0].Text, "Café des Arts") || !strings.Contains(mails[0].Text, known.base+"/connexion") ||
		!strings.Contains(mails[0].Text, "Someone applied") {
		t.Fatalf("no mail to the account's owner: %+v", mails)
	}
	// The account is as it was: its password, not the applicant's.
	known.token(demo.LibrairieEmail)
	if st, _, _ := known.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": "mot-de-passe-zoe"}`, demo.LibrairieEmail), nil); st != 401 {
		t.Fatalf("the applicant's password opens the account: %d", st)
	}

	// The same name again, with a new address: a slug of its own, not a
	// refusal.
	st, out, _ := fresh.do("POST", "/api/v1/merchant-applications", app("Café des Arts", "yann@example.org"), nil)
	if st != 201 || !strings.Contains(out, `"slug":"cafe-des-arts-montreal"`) {
		t.Fatalf("a taken name: %d %s", st, out)
	}
	if m, err := fresh.db.Merchant(ctx, "cafe-des-arts-montreal"); err != nil || m.Status != market.MerchantPending {
		t.Fatalf("the second application: %+v %v", m, err)
	}
}

// guardedShop serves the sign-in routes behind a trusted proxy at
// 127.0.0.1, so that tests choose each request's source address with
// X-Forwarded-For, and with the sign-in failures in state (cache.Memory or
// cache.Redis).
func guardedShop(t *testing.T, state interface {
	api.Limiter
	api.Counters
}, limits api.Limits, now func() time.Time) *shop {
	t.Helper()
	db := openSeeded(t, filepath.Join(t.TempDir(), "solidaire.db"), true)
	s := &shop{t: t, db: db}
	var h http.Handler = http.NotFoundHandler()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(s.srv.Close)
	s.base = s.srv.URL
	h = api.New(api.Config{BaseURL: s.base, Catalogue: db, Orders: db, Limiter: state, Counters: state, Limits: limits,
		SignIn: &market.SignIn{Store: db, Mail: mail.Composer{BaseURL: s.base}, BaseURL: s.base, Now: now}, Merchants: db,
		Onboarding: db, TrustedProxies: []string{"127.0.0.1/32"}, Logger: discard})
	return s
}

// caches runs fn on the in-process cache and on Redis.
func caches(t *testing.T, fn func(t *testing.T, state interface {
	api.Limiter
	api.Counters
})) {
	t.Run("memory", func(t *testing.T) { fn(t, cache.NewMemory()) })
	t.Run("redis", func(t *testing.T) {
		b := make([]byte, 6)
		rand.Read(b)
		rc, err := cache.NewRedis(testenv.RedisURL(t), "signin-"+hex.EncodeToString(b)+":")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rc.Close() })
		fn(t, rc)
	})
}

// signIn tries a sign-in from a source address.
func (s *shop) signIn(from, email, password, code string) (int, string, http.Header) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"email": email, "password": password, "code": code, "token": true})
	return s.do("POST", "/api/v1/auth/login", string(body), map[string]string{"X-Forwarded-For": from})
}

// TestSignInAttackerCannotLockOut: failures from one address make that
// address wait, longer at each further failure, while the owner signs in
// from another.
func TestSignInAttackerCannotLockOut(t *testing.T) {
	caches(t, func(t *testing.T, state interface {
		api.Limiter
		api.Counters
	}) {
		generous := api.Rate{Count: 1000, Per: time.Minute}
		s := guardedShop(t, state, api.Limits{LoginPerIP: generous, LoginPerAccount: api.Rate{Count: 3, Per: time.Minute},
			LoginDelay: time.Second}, nil)
		const attacker, owner = "203.0.113.66", "198.51.100.7"
		owner2 := "198.51.100.8"
		who := demo.BoulangerieEmail
		for i := 0; i < 3; i++ {
			if st, out, _ := s.signIn(attacker, who, "devinette", ""); st != 401 || !strings.Contains(out, `"code":"unauthorized"`) {
				t.Fatalf("guess %d: %d %s", i, st, out)
			}
		}
		st, out, h := s.signIn(attacker, who, "devinette", "")
		if st != 429 || h.Get("Retry-After") != "1" || !strings.Contains(out, `"code":"rate_limited"`) {
			t.Fatalf("guess past the free ones: %d %q %s", st, h.Get("Retry-After"), out)
		}
		// Waiting, the attacker's address is refused even the password.
		if st, _, _ := s.signIn(attacker, who, demo.Password, ""); st != 429 {
			t.Fatalf("the right password from the waiting address: %d", st)
		}
		// The owner, on their own phone, is not held up.
		if st, out, _ := s.signIn(owner, who, demo.Password, ""); st != 200 || !strings.Contains(out, `"token":"`) {
			t.Fatalf("the owner: %d %s", st, out)
		}
		if st, _, _ := s.signIn(owner2, who, "faute-de-frappe", ""); st != 401 {
			t.Fatalf("the owner's typo: %d", st)
		}
		if st, _, _ := s.signIn(owner2, who, demo.Password, ""); st != 200 {
			t.Fatalf("the owner after a typo: %d", st)
		}
		// Each further failure doubles the wait.
		for _, want := range []string{"2", "4"} {
			// Past the wait set by the last failure: 1 s, then 2 s.
			if want == "2" {
				time.Sleep(1200 * time.Millisecond)
			} else {
				time.Sleep(2200 * time.Millisecond)
			}
			if st, out, _ := s.signIn(attacker, who, "devinette", ""); st != 401 {
				t.Fatalf("a guess after the wait: %d %s", st, out)
			}
			// Retry-After is what is left of the wait when the answer is
			// written: on a loaded machine a second may already be gone.
			st, _, h := s.signIn(attacker, who, "devinette", "")
			w, _ := strconv.Atoi(want)
			if got, _ := strconv.Atoi(h.Get("Retry-After")); st != 429 || got < w-1 || got > w {
				t.Fatalf("wait after a further failure: %d Retry-After %q, want %s (or a second less)", st, h.Get("Retry-After"), want)
			}
		}
		// A burst of guesses sent at once gets no more than the free tries
		// and one more.
		var tried atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if st, _, _ := s.signIn("192.0.2.12", demo.LibrairieEmail, "devinette", ""); st == 401 {
					tried.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := tried.Load(); n > 4 {
			t.Fatalf("%d guesses of a burst checked, want at most 4", n)
		}
		if st, _, _ := s.signIn(owner, demo.LibrairieEmail, demo.Password, ""); st != 200 {
			t.Fatalf("the owner after the burst: %d", st)
		}
	})
}

// wrongCode is six digits that are none of codes.
func wrongCode(codes ...string) string {
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", (i*7919+12345)%1_000_000)
		if !slices.Contains(codes, c) {
			return c
		}
	}
}

var signInCode = regexp.MustCompile(`code de connexion Solidaire : ([0-9]{6})`)

// TestSignInCode: after many failures from many addresses the account asks
// for a mailed code, with the same answer whether the password was right
// or not; the owner gets in with the code, once, within 15 minutes.
func TestSignInCode(t *testing.T) {
	caches(t, func(t *testing.T, state interface {
		api.Limiter
		api.Counters
	}) {
		var clock atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(clock.Load())) }
		generous := api.Rate{Count: 1000, Per: time.Minute}
		s := guardedShop(t, state, api.Limits{LoginPerIP: generous, LoginPerAccount: api.Rate{Count: 3, Per: time.Minute},
			LoginDelay: time.Second, LoginCodeAfter: api.Rate{Count: 5, Per: time.Minute}}, now)
		ctx := context.Background()
		who := demo.LibrairieEmail
		codes := func() []string {
			mails, _ := s.db.Mails(ctx, "", 100)
			var out []string
			for _, m := range mails {
				if mm := signInCode.FindStringSubmatch(m.Subject); mm != nil && m.To == who {
					out = append(out, mm[1])
				}
			}
			return out
		}
		// A botnet: two guesses from each address.
		for i := 0; i < 3; i++ {
			for j := 0; j < 2; j++ {
				s.signIn(fmt.Sprintf("203.0.113.%d", i), who, "devinette", "")
			}
		}
		stOwner, outOwner, _ := s.signIn("198.51.100.7", who, demo.Password, "")
		stBot, outBot, _ := s.signIn("203.0.113.50", who, "devinette", "")
		if stOwner != 401 || !strings.Contains(outOwner, `"code":"signin_code_required"`) ||
			!strings.Contains(outOwner, "Trop d'essais : nous vous avons envoyé un code par courriel.") {
			t.Fatalf("the owner: %d %s", stOwner, outOwner)
		}
		if stBot != stOwner || outBot != outOwner {
			t.Fatalf("the answer tells the right password from a guess:\nright: %d %s\nguess: %d %s", stOwner, outOwner, stBot, outBot)
		}
		sent := codes()
		if len(sent) != 1 {
			t.Fatalf("%d codes mailed, want 1 (only for the right password)", len(sent))
		}
		code := sent[0]
		// Stored hashed: the code itself is nowhere in the database.
		raw, _ := s.db.RawDB()
		var plain, hashed int
		raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM one_time_codes WHERE hash = $1 OR hash LIKE $2`, code, "%"+code+"%").Scan(&plain)
		raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM one_time_codes WHERE purpose = 'signin'`).Scan(&hashed)
		if plain != 0 || hashed != 1 {
			t.Fatalf("codes stored: %d in clear, %d in all", plain, hashed)
		}
		// Without it, even the right password does not open the account.
		if st, out, _ := s.signIn("198.51.100.7", who, demo.Password, ""); st != 401 || !strings.Contains(out, "signin_code_required") {
			t.Fatalf("again without the code: %d %s", st, out)
		}
		code, second := codes()[1], codes()[0] // the first code, and the newer one
		if st, out, _ := s.signIn("198.51.100.9", who, "devinette", code); st != 401 || !strings.Contains(out, "signin_code_required") {
			t.Fatalf("the code with a wrong password: %d %s", st, out)
		}
		if st, out, _ := s.signIn("198.51.100.9", who, demo.Password, wrongCode(code, second)); st != 401 ||
			!strings.Contains(out, "signin_code_required") {
			t.Fatalf("a wrong code: %d %s", st, out)
		}
		if st, out, _ := s.signIn("198.51.100.7", who, demo.Password, code[:3]+" "+code[3:]); st != 200 || !strings.Contains(out, `"token":"`) {
			t.Fatalf("the code: %d %s", st, out)
		}
		if st, _, _ := s.signIn("198.51.100.7", who, demo.Password, code); st != 401 {
			t.Fatalf("the code twice: %d", st)
		}
		// A code works for 15 minutes.
		clock.Store(int64(16 * time.Minute))
		if st, _, _ := s.signIn("198.51.100.7", who, demo.Password, second); st != 401 {
			t.Fatalf("a code after 16 minutes: %d", st)
		}
		clock.Store(0)
		// Someone who knows the password cannot try every code: five wrong
		// codes, and the account takes none for a while.
		s.signIn("198.51.100.7", who, demo.Password, "")
		fresh := codes()[0]
		for i := 0; i < 5; i++ {
			s.signIn(fmt.Sprintf("192.0.2.%d", i), who, demo.Password, wrongCode(fresh))
		}
		if st, out, _ := s.signIn("198.51.100.20", who, demo.Password, fresh); st != 401 || !strings.Contains(out, "Trop de codes incorrects") {
			t.Fatalf("a right code after five wrong ones: %d %s", st, out)
		}
		// Another account is not concerned.
		if st, _, _ := s.signIn("198.51.100.7", demo.BoulangerieEmail, demo.Password, ""); st != 200 {
			t.Fatalf("another account: %d", st)
		}
	})
}
