package cache

import (
	"context"
	"testing"
	"time"
)

// TestMemorySweep checks that expired entries nobody reads again are removed,
// so that a long-running single binary does not grow with every visitor.
func TestMemorySweep(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory()
	m.now = func() time.Time { return clock }

	for _, key := range []string{"a", "b", "c"} {
		if err := m.Set(ctx, key, []byte("v"), time.Second); err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Allow(ctx, "limit:"+key, 10, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Set(ctx, "kept", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(sweepEvery + time.Second)
	if err := m.Set(ctx, "trigger", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if len(m.values) != 2 || len(m.limits) != 0 {
		t.Errorf("after the sweep: %d values (want kept and trigger), %d limits (want 0)", len(m.values), len(m.limits))
	}
}
