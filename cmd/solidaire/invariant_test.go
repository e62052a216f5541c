package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/store"
)

// The bank invariant, tested the way production runs: the real binary,
// Stripe's API (stripe-mock) with webhooks signed the Stripe way, and on
// PostgreSQL two instances sharing Redis. For a while, clients buy
// certificates and tickets, redeem (bonus credits included), reverse,
// check tickets in, choose refunds, credits and donations for a cancelled
// show, and Stripe reports disputes (opened, won, lost, in any order) and
// refunds made in its dashboard; one instance is killed with SIGKILL in the
// middle and started again. Then every voucher's ledger must add up, no
// value may have been created or lost, no ticket may be both used and
// refunded, no refund may have been paid twice, and no Idempotency-Key may
// be left without its answer.

const (
	invPlatformSecret = "whsec_invariant_platform"
	invConnectSecret  = "whsec_invariant_connect"
)

func TestBankInvariant(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary under load; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "solidaire")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	seconds := 15
	if v, err := strconv.Atoi(os.Getenv("SOLIDAIRE_INVARIANT_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			runInvariant(t, bin, engine, time.Duration(seconds)*time.Second)
		})
	}
}

// refundBook stands in for the memory Stripe has of refunds, which
// stripe-mock lacks (it keeps no state): a refund asked again with the same
// Idempotency-Key is the same refund, and refunds are listed by payment
// intent with their metadata. One asked refund in eight is created but
// answered with a 502, as a timeout would leave it: its outcome is unknown
// to Solidaire, which must find it again rather than pay it twice. Every
// other request goes on to stripe-mock.
type refundBook struct {
	mu      sync.Mutex
	byKey   map[string]map[string]any
	byPI    map[string][]map[string]any
	created map[string]int // by Solidaire's refund id (metadata)
	lost    int            // answers replaced by a 502
	next    int
	mock    *httputil.ReverseProxy
}

func newRefundBook(t *testing.T) *httptest.Server {
	target, _ := url.Parse(testenv.StripeMockURL(t))
	b := &refundBook{byKey: map[string]map[string]any{}, byPI: map[string][]map[string]any{}, created: map[string]int{},
		mock: httputil.NewSingleHostReverseProxy(target)}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	books.Store(srv.URL, b)
	return srv
}

var books sync.Map // server URL → *refundBook

func (b *refundBook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/refunds" {
		b.mock.ServeHTTP(w, r)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet {
		list := b.byPI[r.URL.Query().Get("payment_intent")]
		if list == nil {
			list = []map[string]any{}
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": "/v1/refunds", "has_more": false, "data": list})
		return
	}
	r.ParseForm()
	key := r.Header.Get("Idempotency-Key")
	if re, ok := b.byKey[key]; ok {
		json.NewEncoder(w).Encode(re)
		return
	}
	b.next++
	amount, _ := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
	id := r.PostForm.Get("metadata[solidaire_refund]")
	re := map[string]any{"id": fmt.Sprintf("re_inv%d", b.next), "object": "refund", "amount": amount, "currency": "cad",
		"payment_intent": r.PostForm.Get("payment_intent"), "status": "succeeded",
		"metadata": map[string]any{"solidaire_refund": id, "order_id": r.PostForm.Get("metadata[order_id]")}}
	b.byKey[key] = re
	b.byPI[r.PostForm.Get("payment_intent")] = append(b.byPI[r.PostForm.Get("payment_intent")], re)
	b.created[id]++
	if b.next%8 == 0 {
		b.lost++
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, `{"error": {"type": "api_error", "message": "upstream timeout"}}`)
		return
	}
	json.NewEncoder(w).Encode(re)
}

// instance is one running `solidaire serve`.
type instance struct {
	cmd  *exec.Cmd
	base string
}

func startInstance(t *testing.T, bin string, env []string) *instance {
	t.Helper()
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stdout, _ := cmd.StdoutPipe()
	logf, _ := os.CreateTemp(t.TempDir(), "instance-*.log")
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	base := ""
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if base == "" {
		cmd.Process.Kill()
		cmd.Wait()
		log, _ := os.ReadFile(logf.Name())
		t.Fatalf("instance did not start:\n%s", log)
	}
	in := &instance{cmd: cmd, base: base}
	t.Cleanup(func() {
		in.stop()
		// A failed run shows how each instance ended: a crash, a stall.
		if t.Failed() {
			log, _ := os.ReadFile(logf.Name())
			lines := strings.Split(strings.TrimSpace(string(log)), "\n")
			t.Logf("the end of the log of instance %s (%s):\n%s", base, in.cmd.ProcessState, strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	return in
}

// stop ends the instance with SIGTERM (a clean shutdown).
func (in *instance) stop() error {
	if in.cmd.ProcessState != nil {
		return nil
	}
	in.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- in.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		in.cmd.Process.Kill()
		return errors.New("no exit within 20 s of SIGTERM")
	}
}

// kill ends the instance with SIGKILL: no shutdown at all.
func (in *instance) kill() {
	in.cmd.Process.Signal(syscall.SIGKILL)
	in.cmd.Wait()
}

// cluster is the instances the load is spread over; one may be down.
type cluster struct {
	mu    sync.Mutex
	bases []string
	// retried counts the answers that made the client try again: no
	// answer (an instance killed), or a 5xx.
	retried sync.Map // "503 unavailable", "no answer"… → *atomic.Int64
}

func (c *cluster) retry(why string) {
	n, _ := c.retried.LoadOrStore(why, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
}

func (c *cluster) pick() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bases[rand.IntN(len(c.bases))]
}

func (c *cluster) set(i int, base string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bases[i] = base
}

var httpc = &http.Client{Timeout: 20 * time.Second}

// call sends a request to an instance, and again to another (with the same
// headers, so the same Idempotency-Key) while none answers or one answers
// 5xx: a client that cannot know whether its first try went through.
func (c *cluster) call(t *testing.T, method, path, body string, header map[string]string) (int, []byte) {
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequest(method, c.pick()+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := httpc.Do(req)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode < 500 || attempt >= 60 {
				return res.StatusCode, b
			}
			c.retry(fmt.Sprintf("%d %s", res.StatusCode, errorCode(b)))
		} else if attempt >= 60 {
			t.Errorf("%s %s: no instance answered: %v", method, path, err)
			return 0, nil
		} else {
			c.retry("no answer")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deliver sends a signed Stripe event to a webhook endpoint until it is
// accepted, as Stripe retries.
func (c *cluster) deliver(t *testing.T, path, secret, id, typ string, object map[string]any) string {
	at := time.Now()
	payload, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": "2023-10-16", "created": at.Unix(),
		"type": typ, "livemode": false, "data": map[string]any{"object": object}})
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	st, out := c.call(t, "POST", path, string(payload), map[string]string{"Stripe-Signature": sig.Header})
	if st != 200 {
		t.Errorf("webhook %s %s: %d %s", typ, id, st, out)
	}
	var ack struct{ Outcome string }
	json.Unmarshal(out, &ack)
	return ack.Outcome
}

// load is the state the clients share: what was bought, what can be spent.
type load struct {
	t        *testing.T
	c        *cluster
	boul     map[string]string   // bearer headers of the boulangerie's owner
	theatre  map[string]string   // an admin acting for the theatre
	shops    []map[string]string // admins acting for two shops of the town programme
	org      map[string]string
	admin    map[string]string
	event    string
	tt       string
	mu       sync.Mutex
	orders   []*paidOrder // certificate and ticket orders, paid
	vouchers []*heldVoucher
	redeemed []string // redemption ids, for reversals
	tickets  []string
	review   []string // orders in review
	disputes []dispute
	counts   map[string]int
	disputed map[string]bool // orders with a dispute
}

type paidOrder struct {
	id       string
	total    int64
	refunded int64 // Stripe's running total, as the dashboard refunds it
	tickets  bool
}

type heldVoucher struct {
	code    string
	headers map[string]string
}

type dispute struct {
	id, order string
	amount    int64
}

func (l *load) count(kind string) {
	l.mu.Lock()
	l.counts[kind]++
	l.mu.Unlock()
}

func key() string { return fmt.Sprintf("inv-%016x%016x", rand.Uint64(), rand.Uint64()) }

func (l *load) sessionObject(orderID string, amount int64) map[string]any {
	return map[string]any{"id": "cs_" + orderID, "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"client_reference_id": orderID, "metadata": map[string]any{"order_id": orderID}, "amount_total": amount,
		"currency": "cad", "payment_intent": "pi_" + orderID}
}

// buy opens a checkout and pays it with a signed webhook (sometimes twice,
// as Stripe may), or pays a different amount (the order goes to review).
func (l *load) buy(body string, tickets bool) {
	st, out := l.c.call(l.t, "POST", "/api/v1/checkout", body, map[string]string{"Idempotency-Key": key()})
	if st == 409 && strings.Contains(string(out), "sold_out") || st == 400 && strings.Contains(string(out), "event_not_on_sale") {
		return // sold out, or cancelled meanwhile
	}
	if st == 409 && (strings.Contains(string(out), "cap_reached") || strings.Contains(string(out), "fund_exhausted")) {
		l.count("programme card refused (" + errorCode(out) + ")")
		return
	}
	if st != 201 {
		l.t.Errorf("checkout: %d %s", st, out)
		return
	}
	var c struct {
		Order struct {
			ID    string
			Total struct{ Amount int64 }
			Token string `json:"access_token"`
		}
	}
	json.Unmarshal(out, &c)
	amount := c.Order.Total.Amount
	if rand.IntN(25) == 0 {
		// Paid a different amount: an admin will look.
		l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, "evt_odd_"+c.Order.ID, "checkout.session.completed",
			l.sessionObject(c.Order.ID, amount-100))
		l.mu.Lock()
		l.review = append(l.review, c.Order.ID)
		l.mu.Unlock()
		l.count("paid a different amount (review)")
		return
	}
	for n := 1 + rand.IntN(2); n > 0; n-- {
		l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, "evt_paid_"+c.Order.ID, "checkout.session.completed",
			l.sessionObject(c.Order.ID, amount))
	}
	l.collect(c.Order.ID, c.Order.Token, amount, tickets)
}

// collect reads what a paid order issued.
func (l *load) collect(orderID, token string, amount int64, tickets bool) {
	st, out := l.c.call(l.t, "GET", "/api/v1/orders/"+orderID+"?token="+token, "", nil)
	var o struct {
		Status   string
		Vouchers []struct {
			Code      string
			Programme *struct{ Slug string }
		}
		Tickets []struct{ Code string }
	}
	json.Unmarshal(out, &o)
	if st != 200 || o.Status != "paid" {
		l.t.Errorf("order after payment: %d %s", st, out)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orders = append(l.orders, &paidOrder{id: orderID, total: amount, tickets: tickets})
	for _, v := range o.Vouchers {
		h := l.boul
		if v.Programme != nil {
			// Taken at any participating shop: one of two, at random.
			h = l.shops[rand.IntN(len(l.shops))]
			l.counts["programme card purchase"]++
		}
		l.vouchers = append(l.vouchers, &heldVoucher{v.Code, h})
	}
	for _, tk := range o.Tickets {
		l.tickets = append(l.tickets, tk.Code)
	}
	if tickets {
		l.counts["ticket purchase"]++
	} else {
		l.counts["certificate purchase"]++
	}
}

func (l *load) randomVoucher() *heldVoucher {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.vouchers) == 0 {
		return nil
	}
	return l.vouchers[rand.IntN(len(l.vouchers))]
}

func (l *load) randomOrder() *paidOrder {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.orders) == 0 {
		return nil
	}
	return l.orders[rand.IntN(len(l.orders))]
}

func (l *load) randomTicket() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tickets) == 0 {
		return ""
	}
	return l.tickets[rand.IntN(len(l.tickets))]
}

// redeem spends part of a voucher; one in four is sent twice with its key
// (a till that did not see the answer), and both answers must agree.
func (l *load) redeem() {
	v := l.randomVoucher()
	if v == nil {
		return
	}
	h := map[string]string{"Idempotency-Key": key()}
	for k, val := range v.headers {
		h[k] = val
	}
	body := fmt.Sprintf(`{"amount": %d}`, 100+rand.IntN(30)*100)
	st, out := l.c.call(l.t, "POST", "/api/v1/merchant/vouchers/"+v.code+"/redemptions", body, h)
	if rand.IntN(4) == 0 {
		st2, out2 := l.c.call(l.t, "POST", "/api/v1/merchant/vouchers/"+v.code+"/redemptions", body, h)
		if st2 != st || !bytes.Equal(out, out2) {
			l.t.Errorf("a repeated redemption answered differently: %d %s / %d %s", st, out, st2, out2)
		}
	}
	switch {
	case st == 201:
		var r struct {
			Redemption struct {
				ID        string
				FromBonus struct{ Amount int64 } `json:"from_bonus"`
			}
		}
		json.Unmarshal(out, &r)
		l.mu.Lock()
		l.redeemed = append(l.redeemed, r.Redemption.ID+" "+v.headers["X-Merchant"])
		l.counts["redemption"]++
		if r.Redemption.FromBonus.Amount > 0 {
			l.counts["redemption from a bonus"]++
		}
		l.mu.Unlock()
	case st == 409:
		l.count("redemption refused (" + errorCode(out) + ")")
	default:
		l.t.Errorf("redeem: %d %s", st, out)
	}
}

func errorCode(out []byte) string {
	var e struct{ Error struct{ Code string } }
	json.Unmarshal(out, &e)
	return e.Error.Code
}

func (l *load) reverse() {
	l.mu.Lock()
	if len(l.redeemed) == 0 {
		l.mu.Unlock()
		return
	}
	i := rand.IntN(len(l.redeemed))
	id, merchant, _ := strings.Cut(l.redeemed[i], " ")
	l.mu.Unlock()
	h := map[string]string{"Idempotency-Key": key()}
	from := l.boul
	if merchant != "" {
		from = map[string]string{"X-Merchant": merchant}
		for k, v := range l.admin {
			from[k] = v
		}
	}
	for k, v := range from {
		h[k] = v
	}
	st, out := l.c.call(l.t, "POST", "/api/v1/merchant/redemptions/"+id+"/reverse", "", h)
	switch st {
	case 200:
		l.count("reversal")
	case 409:
		l.count("reversal refused (" + errorCode(out) + ")")
	default:
		l.t.Errorf("reverse: %d %s", st, out)
	}
}

func (l *load) checkIn() {
	code := l.randomTicket()
	if code == "" {
		return
	}
	st, out := l.c.call(l.t, "POST", "/api/v1/merchant/tickets/"+code+"/checkin", "", l.theatre)
	switch st {
	case 200:
		l.count("check-in")
	case 409:
		l.count("check-in refused (" + errorCode(out) + ")")
	default:
		l.t.Errorf("check-in: %d %s", st, out)
	}
}

// choose makes a holder's choice of a cancelled show, sometimes twice at
// once (two taps).
func (l *load) choose() {
	code := l.randomTicket()
	if code == "" {
		return
	}
	choice := []string{"refund", "refund", "credit", "donate"}[rand.IntN(4)]
	var wg sync.WaitGroup
	for n := 1 + rand.IntN(2); n > 0; n-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, out := l.c.call(l.t, "POST", "/api/v1/tickets/"+code+"/choice", `{"choice": "`+choice+`"}`, nil)
			switch st {
			case 200:
				l.count("choice " + choice)
				if choice == "credit" {
					var r struct {
						Ticket struct {
							ChoiceRef string `json:"choice_ref"`
						} `json:"ticket"`
					}
					json.Unmarshal(out, &r)
					if i := strings.LastIndex(r.Ticket.ChoiceRef, "/v/"); i >= 0 {
						l.mu.Lock()
						l.vouchers = append(l.vouchers, &heldVoucher{r.Ticket.ChoiceRef[i+3:], l.theatre})
						l.mu.Unlock()
					}
				}
			case 409:
				l.count("choice refused (" + errorCode(out) + ")")
			default:
				l.t.Errorf("choice: %d %s", st, out)
			}
		}()
	}
	wg.Wait()
}

// disputeOp opens a dispute on a paid order, or closes one (won or lost);
// one in five is closed before it is seen open.
func (l *load) disputeOp() {
	l.mu.Lock()
	var d *dispute
	if len(l.disputes) > 0 && rand.IntN(2) == 0 {
		i := rand.IntN(len(l.disputes))
		open := l.disputes[i]
		d = &open
		l.disputes = append(l.disputes[:i], l.disputes[i+1:]...)
	}
	l.mu.Unlock()
	if d != nil {
		status := []string{"won", "lost", "warning_closed"}[rand.IntN(3)]
		out := l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, "evt_dx_"+d.id, "charge.dispute.closed",
			map[string]any{"id": d.id, "object": "dispute", "amount": d.amount, "currency": "cad", "status": status,
				"charge": "ch_" + d.order, "payment_intent": "pi_" + d.order})
		l.count("dispute closed: " + out)
		return
	}
	o := l.randomOrder()
	if o == nil {
		return
	}
	l.mu.Lock()
	if l.disputed[o.id] {
		l.mu.Unlock()
		return
	}
	l.disputed[o.id] = true
	l.mu.Unlock()
	nd := dispute{id: "dp_" + key(), order: o.id, amount: o.total}
	obj := func(status string) map[string]any {
		return map[string]any{"id": nd.id, "object": "dispute", "amount": nd.amount, "currency": "cad", "status": status,
			"charge": "ch_" + o.id, "payment_intent": "pi_" + o.id}
	}
	if rand.IntN(5) == 0 {
		out := l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, "evt_dx_"+nd.id, "charge.dispute.closed", obj("lost"))
		l.count("dispute closed before it was opened: " + out)
		l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, "evt_dc_"+nd.id, "charge.dispute.created", obj("needs_response"))
		return
	}
	out := l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, "evt_dc_"+nd.id, "charge.dispute.created", obj("needs_response"))
	l.count("dispute created: " + out)
	l.mu.Lock()
	l.disputes = append(l.disputes, nd)
	l.mu.Unlock()
}

// dashboardRefund refunds part of a paid order in the Stripe dashboard:
// Stripe's charge.refunded carries the running total; an older event is
// sometimes delivered again after a newer one.
func (l *load) dashboardRefund() {
	o := l.randomOrder()
	if o == nil {
		return
	}
	l.mu.Lock()
	if o.refunded >= o.total {
		l.mu.Unlock()
		return
	}
	before := o.refunded
	o.refunded = min(o.total, o.refunded+100+rand.Int64N(o.total/2+1))
	after := o.refunded
	l.mu.Unlock()
	charge := func(refunded int64) map[string]any {
		return map[string]any{"id": "ch_" + o.id, "object": "charge", "amount": o.total, "amount_refunded": refunded,
			"currency": "cad", "payment_intent": "pi_" + o.id}
	}
	out := l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, fmt.Sprintf("evt_cr_%s_%d", o.id, after), "charge.refunded", charge(after))
	l.count("dashboard refund: " + out)
	if before > 0 && rand.IntN(3) == 0 {
		l.c.deliver(l.t, "/api/v1/webhooks/stripe", invPlatformSecret, fmt.Sprintf("evt_cr_%s_%d", o.id, before), "charge.refunded", charge(before))
	}
}

// decideReview has an admin accept or refund an order in review.
func (l *load) decideReview() {
	l.mu.Lock()
	if len(l.review) == 0 {
		l.mu.Unlock()
		return
	}
	id := l.review[0]
	l.review = l.review[1:]
	l.mu.Unlock()
	action := []string{"accept", "refund"}[rand.IntN(2)]
	st, out := l.c.call(l.t, "POST", "/api/v1/admin/orders/"+id+"/"+action, "", l.admin)
	if st != 200 && st != 409 {
		l.t.Errorf("%s an order in review: %d %s", action, st, out)
	}
	l.count("review " + action + fmt.Sprintf(" (%d)", st))
}

func (l *load) login(email string) map[string]string {
	st, out := l.c.call(l.t, "POST", "/api/v1/auth/login", `{"email": "`+email+`", "password": "solidaire-demo", "token": true}`, nil)
	if st != 200 {
		l.t.Fatalf("login %s: %d %s", email, st, out)
	}
	var me struct{ Token string }
	json.Unmarshal(out, &me)
	return map[string]string{"Authorization": "Bearer " + me.Token}
}

// connect onboards a merchant on Stripe (stripe-mock) and enables it with
// a signed account.updated on the Connect endpoint.
func (l *load) connect(h map[string]string) {
	st, out := l.c.call(l.t, "POST", "/api/v1/merchant/payments/onboarding", "", h)
	var p struct{ Account string }
	json.Unmarshal(out, &p)
	if st != 200 || p.Account == "" {
		l.t.Fatalf("onboarding: %d %s", st, out)
	}
	outcome := l.c.deliver(l.t, "/api/v1/webhooks/stripe/connect", invConnectSecret, "evt_acct_"+p.Account, "account.updated",
		map[string]any{"id": p.Account, "object": "account", "country": "CA", "charges_enabled": true, "payouts_enabled": true,
			"requirements": map[string]any{"currently_due": []string{}}})
	if outcome != "account_updated" {
		l.t.Fatalf("account.updated: %s", outcome)
	}
}

func runInvariant(t *testing.T, bin, engine string, d time.Duration) {
	dbURL := filepath.Join(t.TempDir(), "solidaire.db")
	instances := 1
	env := []string{"SOLIDAIRE_DEMO=1", "STRIPE_SECRET_KEY=sk_test_invariant", "STRIPE_WEBHOOK_SECRET=" + invPlatformSecret,
		"STRIPE_CONNECT_WEBHOOK_SECRET=" + invConnectSecret, "SOLIDAIRE_LOG_LEVEL=warn", "SOLIDAIRE_RATE_LIMIT_SCALE=1000"}
	if engine == "postgres" {
		dbURL, instances = testenv.PostgresURL(t), 2
		env = append(env, "REDIS_URL="+testenv.RedisURL(t))
	}
	stripe := newRefundBook(t)
	env = append(env, "DATABASE_URL="+dbURL, "STRIPE_API_BASE="+stripe.URL)
	running := []*instance{startInstance(t, bin, env)}
	for len(running) < instances {
		running = append(running, startInstance(t, bin, env))
	}
	c := &cluster{}
	for _, in := range running {
		c.bases = append(c.bases, in.base)
	}
	l := &load{t: t, c: c, counts: map[string]int{}, disputed: map[string]bool{}}
	l.boul, l.org, l.admin = l.login("boulangerie@demo.solidaire.local"), l.login("organisateur@demo.solidaire.local"), l.login("admin@demo.solidaire.local")
	l.theatre = map[string]string{"X-Merchant": "theatre-du-faubourg"}
	for k, v := range l.admin {
		l.theatre[k] = v
	}
	l.connect(l.boul)
	l.connect(l.theatre)
	for _, shop := range []string{"cafe-des-cantons", "epicerie-du-vieux-nord"} {
		h := map[string]string{"X-Merchant": shop}
		for k, v := range l.admin {
			h[k] = v
		}
		l.shops = append(l.shops, h)
	}
	st, out := c.call(t, "POST", "/api/v1/organiser/events", fmt.Sprintf(`{"merchant": "theatre-du-faubourg", "title": "Soirée invariante",
		"summary": "Sous charge", "starts_at": %q, "ticket_types": [{"name": "Régulier", "price": 3000, "capacity": 400}]}`,
		time.Now().Add(72*time.Hour).UTC().Format(time.RFC3339)), l.org)
	if st != 201 {
		t.Fatalf("event: %d %s", st, out)
	}
	var e struct {
		ID          string
		TicketTypes []struct{ ID string } `json:"ticket_types"`
	}
	json.Unmarshal(out, &e)
	l.event, l.tt = e.ID, e.TicketTypes[0].ID

	start := time.Now()
	var cancelled, killed atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d && !t.Failed() {
				switch n := rand.IntN(100); {
				case n < 13:
					l.buy(fmt.Sprintf(`{"buyer": {"email": "b%d@example.org"}, "items": [{"kind": "gift_certificate",
						"merchant": "boulangerie-du-quartier", "amount": %d}]}`, rand.IntN(50), 1000+rand.IntN(190)*100), false)
				case n < 18:
					// A town's card: its bonus comes out of the fund, its
					// buyer's caps hold (two cards, 200 $).
					l.buy(fmt.Sprintf(`{"buyer": {"email": "p%d@example.org"}, "items": [{"kind": "programme_card",
						"programme": "dollars-solidaires-sherbrooke", "amount": %d}]}`, rand.IntN(200), []int{2000, 5000, 7500}[rand.IntN(3)]), false)
				case n < 28 && !cancelled.Load():
					l.buy(fmt.Sprintf(`{"buyer": {"email": "t%d@example.org"}, "items": [{"kind": "ticket", "event": %q,
						"ticket_type": %q, "quantity": %d}]}`, rand.IntN(50), l.event, l.tt, 1+rand.IntN(2)), true)
				case n < 58:
					l.redeem()
				case n < 66:
					l.reverse()
				case n < 68: // few: most holders should still have their choice to make
					l.checkIn()
				case n < 84 && cancelled.Load():
					l.choose()
				case n < 90:
					l.disputeOp()
				case n < 96:
					l.dashboardRefund()
				default:
					l.decideReview()
				}
			}
		}()
	}
	// Half-way: the show is cancelled, and one instance is killed -9 and
	// started again.
	time.Sleep(d / 2)
	st, out = c.call(t, "POST", "/api/v1/organiser/events/"+l.event+"/cancel",
		`{"reason": "Salle inondée", "options": ["refund", "credit", "donate"], "credit_bonus_percent": 20}`, l.org)
	if st != 200 {
		t.Errorf("cancel: %d %s", st, out)
	}
	cancelled.Store(true)
	victim := len(running) - 1
	running[victim].kill()
	killed.Store(true)
	time.Sleep(time.Second)
	running[victim] = startInstance(t, bin, env)
	c.set(victim, running[victim].base)
	wg.Wait()
	elapsed := time.Since(start)
	for len(l.review) > 0 {
		l.decideReview()
	}

	// What Solidaire still owes is paid (refunds whose answer was lost are
	// found again at Stripe, not asked twice), then the instances stop. A
	// refund the killed instance was paying stays leased to it for a
	// minute, as the provider call could still be running: wait for that.
	waitForLeases(t, dbURL)
	refund := exec.Command(bin, "refunds")
	refund.Env = append(os.Environ(), env...)
	if out, err := refund.CombinedOutput(); err != nil {
		t.Fatalf("solidaire refunds: %v\n%s", err, out)
	}
	for _, in := range running {
		if err := in.stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}
	if t.Failed() {
		return
	}
	checkInvariants(t, dbURL, stripe.URL)
	book, _ := books.Load(stripe.URL)
	b := book.(*refundBook)
	var figures []string
	for k, v := range l.counts {
		figures = append(figures, fmt.Sprintf("%s: %d", k, v))
	}
	c.retried.Range(func(k, v any) bool {
		figures = append(figures, fmt.Sprintf("client retried after %s: %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sortStrings(figures)
	t.Logf("bank invariant on %s: %d instance(s), one killed -9 and restarted, %s of load; Stripe refunds created %d (%d answers lost on the way)\n  %s",
		engine, instances, elapsed.Round(time.Second), b.next, b.lost, strings.Join(figures, "\n  "))
}

// waitForLeases waits until no refund still owed is leased: a lease of the
// killed instance lapses on its own.
func waitForLeases(t *testing.T, dbURL string) {
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, _ := db.RawDB()
	var until int64
	if err := raw.QueryRow(`SELECT COALESCE(MAX(lease_until), 0) FROM refunds WHERE status IN ('requested', 'verify')`).Scan(&until); err != nil {
		t.Fatal(err)
	}
	if wait := time.Until(time.UnixMilli(until)); wait > 0 {
		t.Logf("a refund is leased to the killed instance: waiting %s for the lease to lapse", wait.Round(time.Second))
		time.Sleep(wait + 100*time.Millisecond)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// checkInvariants reads the database as it was left.
func checkInvariants(t *testing.T, dbURL, stripeURL string) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, _ := db.RawDB()
	zero := func(what, q string, args ...any) {
		t.Helper()
		var n int64
		if err := raw.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
	// Every voucher: issued + reversed − redeemed − voided = balance ≥ 0,
	// on each part, and each kind of entry moves value the way it should.
	zero("vouchers whose ledger does not add up to their balance", `SELECT COUNT(*) FROM vouchers v LEFT JOIN (
		SELECT voucher_id, SUM(CASE WHEN part = 'paid' THEN amount ELSE 0 END) AS paid,
			SUM(CASE WHEN part = 'bonus' THEN amount ELSE 0 END) AS bonus FROM voucher_entries GROUP BY voucher_id) e
		ON e.voucher_id = v.id WHERE v.balance <> COALESCE(e.paid, 0) OR v.bonus <> COALESCE(e.bonus, 0)`)
	zero("negative balances", `SELECT COUNT(*) FROM vouchers WHERE balance < 0 OR bonus < 0`)
	zero("entries moving value the wrong way", `SELECT COUNT(*) FROM voucher_entries WHERE
		(kind IN ('issue', 'bonus', 'reverse') AND amount <= 0) OR (kind IN ('redeem', 'void') AND amount >= 0)
		OR (kind IN ('freeze', 'unfreeze') AND amount <> 0)`)
	zero("the sum over vouchers differs from the ledger's", `SELECT (SELECT COALESCE(SUM(balance + bonus), 0) FROM vouchers)
		- (SELECT COALESCE(SUM(amount), 0) FROM voucher_entries)`)
	zero("void vouchers holding value", `SELECT COUNT(*) FROM vouchers WHERE status = 'void' AND balance + bonus <> 0`)
	// Redemptions and the ledger tell the same story.
	zero("vouchers whose redemptions differ from their ledger", `SELECT COUNT(*) FROM vouchers v
		WHERE (SELECT COALESCE(SUM(amount), 0) FROM redemptions r WHERE r.voucher_id = v.id AND r.reversed_at = 0)
		<> -(SELECT COALESCE(SUM(amount), 0) FROM voucher_entries e WHERE e.voucher_id = v.id AND e.kind IN ('redeem', 'reverse'))`)
	// No value created or lost: a paid certificate order issued exactly
	// what it was paid, an unpaid one nothing; a credit voucher is exactly
	// the price of the one ticket credited for it.
	zero("certificate orders whose vouchers were issued more or less than paid", `SELECT COUNT(*) FROM orders o
		WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.kind = 'gift_certificate')
		AND (SELECT COALESCE(SUM(e.amount), 0) FROM voucher_entries e JOIN vouchers v ON v.id = e.voucher_id
			WHERE v.order_id = o.id AND e.kind = 'issue')
		<> CASE WHEN o.status = 'paid' THEN (SELECT SUM(i.amount * i.quantity) FROM order_items i WHERE i.order_id = o.id) ELSE 0 END`)
	zero("programme card orders whose cards were issued more or less than paid and bonus", `SELECT COUNT(*) FROM orders o
		WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.kind = 'programme_card')
		AND ((SELECT COALESCE(SUM(e.amount), 0) FROM voucher_entries e JOIN vouchers v ON v.id = e.voucher_id
			WHERE v.order_id = o.id AND e.kind = 'issue')
		<> CASE WHEN o.status = 'paid' THEN (SELECT SUM(i.amount * i.quantity) FROM order_items i WHERE i.order_id = o.id) ELSE 0 END
		OR (SELECT COALESCE(SUM(e.amount), 0) FROM voucher_entries e JOIN vouchers v ON v.id = e.voucher_id
			WHERE v.order_id = o.id AND e.kind = 'bonus')
		<> CASE WHEN o.status = 'paid' THEN (SELECT SUM(i.bonus * i.quantity) FROM order_items i WHERE i.order_id = o.id) ELSE 0 END)`)
	if bad, err := db.FundMismatches(ctx); err != nil || len(bad) > 0 {
		t.Errorf("funds that do not add up: %v %v", bad, err)
	}
	zero("buyers over a programme's caps", `SELECT COUNT(*) FROM programme_buyers b JOIN programmes p ON p.id = b.programme_id
		WHERE (p.cards_per_buyer > 0 AND b.cards > p.cards_per_buyer) OR (p.amount_per_buyer > 0 AND b.amount > p.amount_per_buyer)`)
	zero("credit vouchers not matching a credited ticket", `SELECT
		(SELECT COUNT(*) FROM vouchers v WHERE EXISTS (SELECT 1 FROM tickets tk WHERE tk.order_id = v.order_id))
		- (SELECT COUNT(*) FROM tickets WHERE status = 'credited' OR (status = 'void' AND choice = 'credit'))`)
	zero("credit vouchers whose value is not their ticket's price", `SELECT COUNT(*) FROM tickets tk
		WHERE tk.status = 'credited' AND (SELECT initial FROM vouchers v WHERE v.code = tk.choice_ref) <> tk.price`)
	// No ticket both used at the door and refunded (or exchanged).
	zero("tickets checked in and refunded, credited or donated", `SELECT COUNT(*) FROM tickets WHERE checked_in_at <> 0
		AND (status IN ('refunded', 'credited', 'donated') OR choice IN ('refund', 'credit', 'donate'))`)
	zero("refunds owed for tickets checked in", `SELECT COUNT(*) FROM refunds r JOIN tickets tk ON tk.id = r.ticket_id
		WHERE tk.checked_in_at <> 0`)
	// Disputes: a voucher is frozen exactly while its order has an open one.
	zero("frozen vouchers without an open dispute", `SELECT COUNT(*) FROM vouchers v WHERE v.status = 'disputed'
		AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = v.order_id AND d.status = 'open')`)
	zero("spendable vouchers of an order in open dispute", `SELECT COUNT(*) FROM vouchers v WHERE v.status = 'active'
		AND EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = v.order_id AND d.status = 'open')`)
	// Every refund Solidaire decided is paid (or cancelled by a lost
	// dispute), save those held while their order's dispute is open.
	zero("refunds still owed or unverified", `SELECT COUNT(*) FROM refunds r WHERE r.status IN ('requested', 'verify')
		AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = r.order_id AND d.status = 'open')`)
	zero("refunded tickets without a paid refund", `SELECT COUNT(*) FROM tickets tk WHERE tk.status = 'refunded'
		AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.id = tk.id AND r.status = 'succeeded')`)
	// No Idempotency-Key left without its answer, even after kill -9.
	if n, err := db.StuckIdempotent(ctx, 0); err != nil || n != 0 {
		t.Errorf("idempotency keys without an answer: %d %v", n, err)
	}
	// Stripe was asked for each refund once.
	book, _ := books.Load(stripeURL)
	b := book.(*refundBook)
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, n := range b.created {
		if n != 1 {
			t.Errorf("refund %s created %d times at Stripe", id, n)
		}
	}
	var paid int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM refunds WHERE status = 'succeeded'`).Scan(&paid); err != nil {
		t.Fatal(err)
	}
	if paid != len(b.created) {
		t.Errorf("%d refunds paid in the database, %d created at Stripe", paid, len(b.created))
		for id := range b.created {
			var status, lastError, order string
			var attempts int
			raw.QueryRowContext(ctx, `SELECT status, last_error, attempts, order_id FROM refunds WHERE id = $1`, id).Scan(&status, &lastError, &attempts, &order)
			if status != "succeeded" {
				t.Errorf("refund %s created at Stripe is %q in the database (attempts %d, last error %q, order %s)", id, status, attempts, lastError, order)
			}
		}
	}
}
