package api

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the HTTP figures /metrics exposes.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	orders   prometheus.Counter
	webhooks *prometheus.CounterVec
	limited  *prometheus.CounterVec

	redemptions   *prometheus.CounterVec
	failedLookups prometheus.Counter
	failedLogins  prometheus.Counter
	droppedClicks prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "solidaire_http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "solidaire_http_request_duration_seconds",
			Help:    "HTTP request latency by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	m.orders = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "solidaire_orders_created_total",
		Help: "Orders created (checkouts opened) by this instance.",
	})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "solidaire_webhook_events_total",
		Help: "Payment events handled by this instance, by outcome.",
	}, []string{"outcome"})
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "solidaire_rate_limited_total",
		Help: "Requests refused by a rate limit, by route template.",
	}, []string{"route"})
	m.redemptions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "solidaire_redemptions_total",
		Help: "Voucher redemptions and reversals made through this instance.",
	}, []string{"kind"})
	m.failedLookups = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "solidaire_failed_code_lookups_total",
		Help: "Scans or redemptions of codes that are unknown or another merchant's.",
	})
	m.failedLogins = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "solidaire_failed_logins_total",
		Help: "Sign-ins refused for a wrong email or password.",
	})
	m.droppedClicks = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "solidaire_share_clicks_dropped_total",
		Help: "Share-link clicks not counted because the counting queue was full.",
	})
	reg.MustRegister(m.requests, m.latency, m.orders, m.webhooks, m.limited, m.redemptions, m.failedLookups, m.failedLogins, m.droppedClicks)
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		method = "other" // clients choose methods; labels must stay bounded
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}
