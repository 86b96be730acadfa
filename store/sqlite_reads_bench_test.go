package store_test

import (
	"testing"

	"kefu/store"
	"kefu/store/storetest"
)

// BenchmarkReads measures, on a real file, the reads actors make inside
// their Receive (docs/durability.md, "Reads inside an actor's Receive").
//
//	go test -run=NONE -bench=Reads -count=5 ./store
func BenchmarkReads(b *testing.B) {
	st, err := store.OpenSQLite(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	storetest.BenchmarkReads(b, st)
}
