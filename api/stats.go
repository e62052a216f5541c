package api

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// StatsSource counts over the whole database, read when /metrics is
// scraped (store.DB).
type StatsSource interface {
	Stats(ctx context.Context) (map[string]float64, error)
}

// dbCollector exposes the database's counts as gauges: orders by status,
// vouchers issued, tickets, redemptions.
type dbCollector struct {
	src    StatsSource
	orders *prometheus.Desc
	totals map[string]*prometheus.Desc
}

func newDBCollector(src StatsSource) *dbCollector {
	return &dbCollector{src: src,
		orders: prometheus.NewDesc("solidaire_orders", "Orders in the database, by status.", []string{"status"}, nil),
		totals: map[string]*prometheus.Desc{
			"vouchers":    prometheus.NewDesc("solidaire_vouchers_issued", "Vouchers issued, in the database.", nil, nil),
			"tickets":     prometheus.NewDesc("solidaire_tickets_issued", "Tickets issued, in the database.", nil, nil),
			"redemptions": prometheus.NewDesc("solidaire_redemptions", "Redemptions not reversed, in the database.", nil, nil),
		}}
}

// Describe sends the descriptors.
func (d *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- d.orders
	for _, desc := range d.totals {
		ch <- desc
	}
}

// Collect reads the counts; a database that does not answer in two
// seconds leaves them out of this scrape.
func (d *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := d.src.Stats(ctx)
	if err != nil {
		return
	}
	keys := make([]string, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if status, ok := strings.CutPrefix(k, "orders_"); ok {
			ch <- prometheus.MustNewConstMetric(d.orders, prometheus.GaugeValue, stats[k], status)
		} else if desc := d.totals[k]; desc != nil {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, stats[k])
		}
	}
}
