package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/solidaire-app/solidaire/storage"
)

// TestStorageConfig checks where photos go: the directory by default, the
// bucket the S3_* variables name, flags over variables, and a boolean
// that does not parse refused.
func TestStorageConfig(t *testing.T) {
	t.Parallel()
	getenv := func(env map[string]string) func(string) string {
		return func(k string) string { return env[k] }
	}
	c, err := parse("serve", nil, getenv(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage.Dir != storage.DefaultDir || c.Storage.S3.Bucket != "" || !c.Storage.S3.UseSSL {
		t.Errorf("defaults: %+v", c.Storage)
	}

	env := map[string]string{
		"S3_ENDPOINT": "minio:9000", "S3_BUCKET": "photos", "S3_ACCESS_KEY": "ak", "S3_SECRET_KEY": "sk",
		"S3_REGION": "ca-central-1", "S3_USE_SSL": "false", "S3_PATH_STYLE": "1",
	}
	c, err = parse("serve", []string{"-s3-bucket", "other", "-s3-create-bucket"}, getenv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.S3Config{Endpoint: "minio:9000", Region: "ca-central-1", Bucket: "other",
		AccessKey: "ak", SecretKey: "sk", PathStyle: true, CreateBucket: true}
	if c.Storage.S3 != want {
		t.Errorf("S3: %+v, want %+v", c.Storage.S3, want)
	}

	if _, err := parse("serve", nil, getenv(map[string]string{"S3_USE_SSL": "perhaps"}), io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("S3_USE_SSL=perhaps: %v", err)
	}

	dir := filepath.Join(t.TempDir(), "files")
	c, err = parse("serve", nil, getenv(map[string]string{"STORAGE_DIR": dir}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	files, err := c.fileStore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := files.(*storage.Local); !ok || l.Dir() != dir {
		t.Errorf("file store %T", files)
	}
}
