package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointer: what commits reaches the database file within moments,
// copied by the checkpointer, not by a commit (the writer's own threshold
// is far above what the migrations write).
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "solidaire.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var pages, size int64
	if err := db.read.QueryRowContext(ctx, `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if size = st.Size(); size >= pages {
			return
		}
	}
	t.Fatalf("database file %d bytes, %d committed: the log was not checkpointed", size, pages)
}
