// Package storage keeps files (merchants' photos) behind market.FileStore:
// a local directory by default, an S3-compatible bucket at scale.
//
// # Keys and content types
//
// A key is a path of lowercase ASCII segments, "photos/<merchantID>/<photoID>-640.jpg"
// (see CheckKey: letters, digits, "_", "." and "-", each segment beginning
// with a letter or digit, so never "..", an absolute path or a hidden name).
// Put and Delete refuse any other key with EInvalid; Get answers ENotFound,
// as no file can have it. A file's content type is decided by its key's
// extension (see ContentType: ".jpg" is image/jpeg), the same for both
// stores; Put takes an empty type or that one, and refuses another with
// EInvalid, which catches a PNG stored as "….jpg". This keeps the local
// directory free of sidecar files: it holds the files themselves.
//
// FileInfo.ETag is an opaque value without quotes (the HTTP layer quotes
// it), a hash of the content: SHA-256 (its first 128 bits) for the
// directory, the server's ETag (the MD5 of the content for a single-part
// upload) for a bucket. The same content under the same store has the same
// ETag; new content has a new one.
//
// # Local directory (the default)
//
//	STORAGE_DIR=./data/files   (the default)
//
// The files are at their keys' paths under the directory. Each Put writes a
// temporary file ".put-*" beside its target, syncs it and renames it over
// the target, so that readers never see part of a file, even when two Puts
// of a key race; a process killed mid-write may leave a ".put-*" file
// behind, which no key can name and which can be removed at leisure. Back
// the directory up as files. One instance only, or instances sharing the
// directory over a network filesystem with atomic rename.
//
// # S3-compatible bucket (at scale)
//
//	S3_ENDPOINT=s3.ca-central-1.amazonaws.com   host[:port], or an http(s):// URL
//	S3_BUCKET=solidaire-photos
//	S3_ACCESS_KEY=…  S3_SECRET_KEY=…
//	S3_REGION=ca-central-1                      optional
//	S3_USE_SSL=true                             default true; an http:// endpoint turns it off
//	S3_PATH_STYLE=false                         true for servers without bucket host names
//	S3_CREATE_BUCKET=false                      true makes the bucket at start when missing
//
// Setting S3_BUCKET chooses the bucket over the directory. Every instance of
// the server behind a load balancer opens the same bucket and so serves the
// same photos: an upload through one is at once readable through all (AWS
// S3 reads after writes consistently since 2020, and so do MinIO and
// VersityGW; check a smaller provider's documentation). The server still serves the files
// itself, under /media/…, with long cache headers: put a CDN or a caching
// proxy in front of it rather than exposing the bucket, which stays
// private. The credentials need s3:GetObject, s3:PutObject and
// s3:DeleteObject on the bucket's objects, s3:ListBucket on the bucket
// (for the check at start), and s3:CreateBucket only with S3_CREATE_BUCKET.
// Open checks the bucket exists and fails at start rather than at the first
// upload.
//
// Tests run one conformance suite (storage_test.go) against both stores, the
// bucket one against a real S3 server, VersityGW, which the test harness
// starts (internal/testenv, SOLIDAIRE_TEST_S3_URL).
package storage
