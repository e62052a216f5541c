package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

// TestTranslate checks the map from driver errors to market errors on the
// errors each layer returns, wrapped as the drivers wrap them.
func TestTranslate(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	pg := func(code string) error {
		return fmt.Errorf("query: %w", &pgconn.PgError{Severity: "FATAL", Code: code})
	}
	for _, tc := range []struct {
		name string
		err  error
		want string // a market code, or "" for the error as it is
	}{
		{"UniqueViolation", pg("23505"), market.EConflict},
		{"CheckViolation", pg("23514"), market.EConflict},
		{"ConnectionFailure", pg("08006"), market.EUnavailable},
		{"ConnectionDoesNotExist", pg("08003"), market.EUnavailable},
		{"AdminShutdown", pg("57P01"), market.EUnavailable},
		{"CrashShutdown", pg("57P02"), market.EUnavailable},
		{"CannotConnectNow", pg("57P03"), market.EUnavailable},
		{"TooManyConnections", pg("53300"), market.EUnavailable},
		{"UndefinedTable", pg("42P01"), ""},
		{"ConnectionRefused", fmt.Errorf("failed to connect: %w", refused), market.EUnavailable},
		{"ConnectionReset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, market.EUnavailable},
		{"BrokenPipe", fmt.Errorf("write failed: %w", syscall.EPIPE), market.EUnavailable},
		{"UnexpectedEOF", fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF), market.EUnavailable},
		{"EOF", io.EOF, market.EUnavailable},
		{"ConnClosed", fmt.Errorf("acquire: %w", pgconn.ErrConnClosed), market.EUnavailable},
		{"BadConn", driver.ErrBadConn, market.EUnavailable},
		{"ConnDone", sql.ErrConnDone, market.EUnavailable},
		{"PoolClosed", errors.New("sql: database is closed"), market.EUnavailable},
		{"DeadlineExceeded", fmt.Errorf("timeout: %w", context.DeadlineExceeded), market.EUnavailable},
		{"UnknownHost", &net.DNSError{Err: "no such host", Name: "db.internal", IsNotFound: true}, market.EUnavailable},
		{"Canceled", fmt.Errorf("query: %w", context.Canceled), ""},
		{"NoRows", sql.ErrNoRows, ""},
		{"Other", errors.New("sql: Scan error on column index 0"), ""},
		{"Market", market.NotFound("Commerce"), market.ENotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := translate(tc.err)
			if tc.want == "" {
				if got != tc.err {
					t.Fatalf("translate(%v) = %v, want it unchanged", tc.err, got)
				}
				return
			}
			if code := market.ErrorCode(got); code != tc.want {
				t.Fatalf("translate(%v) = %v, code %q; want %q", tc.err, got, code, tc.want)
			}
			if tc.want == market.EUnavailable {
				wantUnavailable(t, got)
				if !strings.Contains(got.Error(), tc.err.Error()) {
					t.Errorf("the cause %q is not in %q, for the log", tc.err, got)
				}
			}
		})
	}
	if translate(nil) != nil {
		t.Error("translate(nil) is not nil")
	}
}

// wantUnavailable fails unless err is the store's EUnavailable error,
// which lets no driver value through: a pgconn.ConnectError holds the
// password of the connection.
func wantUnavailable(t *testing.T, err error) {
	t.Helper()
	var me *market.Error
	if !errors.As(err, &me) || me.Code != market.EUnavailable || me.Message != "Base de données indisponible." {
		t.Fatalf("%v: want EUnavailable \"Base de données indisponible.\"", err)
	}
	var ce *pgconn.ConnectError
	var pe *pgconn.PgError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &pe) || errors.As(err, &ne) || errors.Unwrap(me) != nil {
		t.Errorf("%v: a driver error is reachable through it", err)
	}
}

// TestTranslateDrivers checks real failures of both drivers.
func TestTranslateDrivers(t *testing.T) {
	ctx := context.Background()
	t.Run("PostgresRefused", func(t *testing.T) {
		// Nobody listens on the port; the password must not reach the error.
		pool, err := sql.Open("pgx", fmt.Sprintf("postgres://solidaire:s3cr3t-pw@127.0.0.1:%d/solidaire?sslmode=disable&connect_timeout=2", testenv.FreePort(t)))
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		err = translate(pool.QueryRowContext(ctx, `SELECT 1`).Scan(new(int)))
		wantUnavailable(t, err)
		if strings.Contains(err.Error(), "s3cr3t-pw") {
			t.Errorf("the password is in %q", err)
		}
	})
	t.Run("SQLiteCannotOpen", func(t *testing.T) {
		pool, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "missing", "solidaire.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		wantUnavailable(t, translate(pool.PingContext(ctx)))
	})
	t.Run("SQLiteBusy", func(t *testing.T) {
		dsn := "file:" + filepath.Join(t.TempDir(), "solidaire.db") + "?_pragma=busy_timeout(50)&_txlock=immediate"
		holder, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		waiter, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer waiter.Close()
		if _, err := holder.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
			t.Fatal(err)
		}
		tx, err := holder.BeginTx(ctx, nil) // immediate: takes the write lock
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		_, err = waiter.ExecContext(ctx, `INSERT INTO t VALUES (1)`)
		if err == nil {
			t.Fatal("a second writer got in while the first held the lock")
		}
		wantUnavailable(t, translate(err))
	})
}

// TestPostgresStopped stops the PostgreSQL server under a running store:
// every read (and a write) must be EUnavailable while it is down, and work
// again once it is back, without reopening the store.
func TestPostgresStopped(t *testing.T) {
	pg := testenv.DedicatedPostgres(t)
	u, err := url.Parse(pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("postgres", "s3cr3t-pw") // trust: any password does
	ctx := context.Background()
	db, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	m := &market.Merchant{Slug: "boulangerie-du-quartier", Name: "Boulangerie du quartier", Category: "boulangerie",
		City: "Montréal", Summary: "Pain", Currency: market.CAD, Accepts: []market.ItemKind{market.KindGiftCertificate},
		MinAmount: 1000, MaxAmount: 20000, Status: market.MerchantApproved}
	if err := db.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	calls := map[string]func() error{
		"Ping":  func() error { return db.Ping(ctx) },
		"Empty": func() error { _, err := db.Empty(ctx); return err },
		"Stats": func() error { _, err := db.Stats(ctx); return err },
		"ListMerchants": func() error {
			_, _, err := db.ListMerchants(ctx, market.MerchantFilter{Page: market.Page{Limit: 20}})
			return err
		},
		"SearchMerchants": func() error {
			_, _, err := db.ListMerchants(ctx, market.MerchantFilter{Query: "boulangerie montreal", City: "Montréal", Page: market.Page{Limit: 20}})
			return err
		},
		"Merchant":              func() error { _, err := db.Merchant(ctx, m.Slug); return err },
		"MerchantByID":          func() error { _, err := db.MerchantByID(ctx, m.ID); return err },
		"Cities":                func() error { _, err := db.Cities(ctx); return err },
		"ListCities":            func() error { _, err := db.ListCities(ctx); return err },
		"City":                  func() error { _, err := db.City(ctx, "montreal"); return err },
		"ListMerchantsByStatus": func() error { _, err := db.ListMerchantsByStatus(ctx, market.MerchantPending); return err },
		"ListEvents": func() error {
			_, _, err := db.ListEvents(ctx, market.EventFilter{Page: market.Page{Limit: 20}})
			return err
		},
		"Event":           func() error { _, err := db.Event(ctx, "evt_x"); return err },
		"OrganiserEvents": func() error { _, err := db.OrganiserEvents(ctx, m.ID); return err },
		"Campaign":        func() error { _, err := db.Campaign(ctx, "achatlocal"); return err },
		"ListCampaigns":   func() error { _, err := db.ListCampaigns(ctx); return err },
		"UserByEmail":     func() error { _, err := db.UserByEmail(ctx, "boulangerie@demo.solidaire.local"); return err },
		"ActorBySession":  func() error { _, err := db.ActorBySession(ctx, "hash", now); return err },
		"ActorByDevice":   func() error { _, err := db.ActorByDevice(ctx, "hash", now); return err },
		"Devices":         func() error { _, err := db.Devices(ctx, m.ID); return err },
		"Staff":           func() error { _, err := db.Staff(ctx, m.ID); return err },
		"PeekOneTimeCode": func() error { _, err := db.PeekOneTimeCode(ctx, "reset", "hash", now); return err },
		"Order":           func() error { _, err := db.Order(ctx, "ord_x"); return err },
		"OrderBySession":  func() error { _, err := db.OrderBySession(ctx, "cs_x"); return err },
		"PendingOrders":   func() error { _, err := db.PendingOrders(ctx, now, 10); return err },
		"Voucher":         func() error { _, err := db.Voucher(ctx, "ABCD2345EFGH"); return err },
		"OrderVouchers":   func() error { _, err := db.OrderVouchers(ctx, "ord_x"); return err },
		"VoucherLedger":   func() error { _, err := db.VoucherLedger(ctx, "ABCD2345EFGH"); return err },
		"LedgerMismatches": func() error {
			_, err := db.LedgerMismatches(ctx)
			return err
		},
		"Redemptions":    func() error { _, err := db.Redemptions(ctx, m.ID, now.Add(-time.Hour), now, 10); return err },
		"MerchantLedger": func() error { _, err := db.MerchantLedger(ctx, m.ID, now.Add(-time.Hour), now); return err },
		"Liability":      func() error { _, _, err := db.Liability(ctx, m.ID); return err },
		"Ticket":         func() error { _, err := db.Ticket(ctx, "TKT2345"); return err },
		"OrderTickets":   func() error { _, err := db.OrderTickets(ctx, "ord_x"); return err },
		"EventTickets":   func() error { _, err := db.EventTickets(ctx, "evt_x"); return err },
		"Tally":          func() error { _, err := db.Tally(ctx, "evt_x"); return err },
		"ShareLink":      func() error { _, err := db.ShareLink(ctx, "abc"); return err },
		"ShareLinks":     func() error { _, err := db.ShareLinks(ctx, "cam_x"); return err },
		"Mails":          func() error { _, err := db.Mails(ctx, "", 10); return err },
		"CreateMerchant": func() error {
			return db.CreateMerchant(ctx, &market.Merchant{Slug: "librairie-" + market.NewID("x")[2:10], Name: "Librairie",
				Category: "librairie", City: "Lyon", Summary: "Livres", Currency: market.EUR,
				Accepts: []market.ItemKind{market.KindGiftCertificate}, MinAmount: 1000, MaxAmount: 20000})
		},
	}
	// Answered, with the connections of the pool in use, before the stop.
	for name, call := range calls {
		if err := call(); err != nil && market.ErrorCode(err) != market.ENotFound {
			t.Fatalf("%s before the stop: %v", name, err)
		}
	}

	pg.Stop(t)
	for name, call := range calls {
		t.Run("Down/"+name, func(t *testing.T) {
			err := call()
			wantUnavailable(t, err)
			if strings.Contains(err.Error(), "s3cr3t-pw") {
				t.Errorf("the password is in %q", err)
			}
		})
	}

	pg.Start(t)
	for name, call := range calls {
		t.Run("Back/"+name, func(t *testing.T) {
			var err error
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if err = call(); err == nil || market.ErrorCode(err) == market.ENotFound {
					return
				}
			}
			t.Fatalf("still failing 10 s after the restart: %v", err)
		})
	}
}

// TestUnboundLimits: LIMIT and OFFSET placeholders become expressions, so
// that SQLite does not prepare a kept statement again at every binding;
// the rest of the text is left alone.
func TestUnboundLimits(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1 FROM t ORDER BY a LIMIT $2":                  "SELECT 1 FROM t ORDER BY a LIMIT ($2 + 0)",
		"SELECT 1 FROM t LIMIT $10 OFFSET $11":                 "SELECT 1 FROM t LIMIT ($10 + 0) OFFSET ($11 + 0)",
		"WITH h AS (SELECT 1 limit\n\t$3) SELECT * FROM h":     "WITH h AS (SELECT 1 limit ($3 + 0)) SELECT * FROM h",
		"SELECT 1 FROM t LIMIT 21":                             "SELECT 1 FROM t LIMIT 21",
		"SELECT unlimited FROM t WHERE a = $1 ORDER BY a DESC": "SELECT unlimited FROM t WHERE a = $1 ORDER BY a DESC",
	} {
		if got := unboundLimits(in); got != want {
			t.Errorf("unboundLimits(%q) = %q, want %q", in, got, want)
		}
	}
}
