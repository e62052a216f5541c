// Package bench drives HTTP load from inside the bench command and reports
// figures next to their baselines. It measures; it asserts nothing.
package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Result is what a load run measured.
type Result struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
}

// PerSecond is the throughput of successful requests.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests-r.Errors) / r.Elapsed.Seconds()
}

// String formats the result as "12345 req/s, p50 1.2 ms, p99 4.5 ms".
func (r Result) String() string {
	s := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s", r.PerSecond(), ms(r.P50), ms(r.P99))
	if r.Errors > 0 {
		s += fmt.Sprintf(", %d errors", r.Errors)
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// Load sends requests made by newReq from conns concurrent keep-alive
// connections for d (after a warm-up of d/5), and reports throughput and
// latency percentiles. A response whose status is not ok counts as an error.
func Load(ctx context.Context, conns int, d time.Duration, newReq func() *http.Request, ok func(int) bool) Result {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
	defer tr.CloseIdleConnections()
	// One request is one figure: redirects are answers, not followed.
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	run := func(d time.Duration, record bool) Result {
		var mu sync.Mutex
		var all []time.Duration
		errs := 0
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		var wg sync.WaitGroup
		start := time.Now()
		for i := 0; i < conns; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lat := make([]time.Duration, 0, 4096)
				e := 0
				for ctx.Err() == nil {
					t0 := time.Now()
					res, err := client.Do(newReq())
					if err != nil {
						if ctx.Err() == nil {
							e++
						}
						continue
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if !ok(res.StatusCode) {
						e++
					}
					lat = append(lat, time.Since(t0))
				}
				if record {
					mu.Lock()
					all = append(all, lat...)
					errs += e
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		r := Result{Requests: len(all), Errors: errs, Elapsed: time.Since(start)}
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		if n := len(all); n > 0 {
			r.P50, r.P99 = all[n/2], all[n*99/100]
		}
		return r
	}
	run(d/5, false)
	return run(d, true)
}

// Row is one line of the report: a scenario's figure next to its baseline.
type Row struct {
	Scenario string
	Figure   string
	Baseline string
	Ratio    float64 // figure / baseline; 0 when not meaningful
	// Same is the second baseline of a write scenario: the same SQL
	// writes, run raw, one transaction per operation; SameRatio the figure
	// over it (what the HTTP, auth, idempotency and domain layers cost).
	Same      string
	SameRatio float64
	// PeakRSS is the process's peak resident set during the scenario
	// (bytes; 0 when unknown).
	PeakRSS int64
	Note    string
}

// Print writes the rows as an aligned table.
func Print(w io.Writer, rows []Row) {
	fmt.Fprintf(w, "%-34s  %-44s  %-52s  %-6s  %s\n", "scenario", "figure", "baseline (same run)", "ratio", "peak RSS")
	for _, r := range rows {
		ratio := "-"
		if r.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f×", r.Ratio)
		}
		peak := "-"
		if r.PeakRSS > 0 {
			peak = MiB(r.PeakRSS)
		}
		fmt.Fprintf(w, "%-34s  %-44s  %-52s  %-6s  %s\n", r.Scenario, r.Figure, r.Baseline, ratio, peak)
		if r.Same != "" {
			same := "-"
			if r.SameRatio > 0 {
				same = fmt.Sprintf("%.2f×", r.SameRatio)
			}
			fmt.Fprintf(w, "%-34s  %-44s  %-52s  %s\n", "", "", "same writes raw: "+r.Same, same)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "%-34s  %s\n", "", r.Note)
		}
	}
}
