package postgres_test

import (
	"testing"

	"kefu/store/storetest"
)

// BenchmarkReads is the SQLite store's BenchmarkReads against PostgreSQL
// over loopback: the reads actors make inside their Receive
// (docs/durability.md, "Reads inside an actor's Receive"). It runs on the
// test cluster (KEFU_TEST_POSTGRES, fsync off), so SetRating's commit waits
// for its WAL write but not for the disk.
//
//	KEFU_TEST_POSTGRES=$(bash .ci/postgres.sh start) go test -run=NONE -bench=Reads -count=5 ./store/postgres
func BenchmarkReads(b *testing.B) {
	storetest.BenchmarkReads(b, openPostgres(b))
}
