package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkInput measures the input readers against the naive stdlib loop
// (bufio.Scanner + json.Unmarshal, no line numbers, ids or checks).
func BenchmarkInput(b *testing.B) {
	const n = 1000
	jsonl := jsonlInput(n)
	var csvb strings.Builder
	csvb.WriteString("destination,text,clientMessageId\n")
	for i := range n {
		csvb.WriteString("+6591234567,message number " + strings.Repeat("x", i%20) + ",\n")
	}
	csvIn := csvb.String()

	read := func(b *testing.B, input string, f inputFormat) {
		b.SetBytes(int64(len(input)))
		b.ReportAllocs()
		for b.Loop() {
			in, err := newInputReader(strings.NewReader(input), "bench", f, "sub")
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := in.next(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("jsonl/octosend", func(b *testing.B) { read(b, jsonl, formatJSONL) })
	b.Run("jsonl/stdlib-naive", func(b *testing.B) {
		b.SetBytes(int64(len(jsonl)))
		b.ReportAllocs()
		for b.Loop() {
			sc := bufio.NewScanner(strings.NewReader(jsonl))
			for sc.Scan() {
				var v jsonLine
				if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("csv/octosend", func(b *testing.B) { read(b, csvIn, formatCSV) })
}

// BenchmarkBulkRun measures what the bulk engine costs per message on top
// of the send itself (a no-op here): dispatch, the journal write, the
// results write and the bookkeeping. The baseline is the same pool with no
// journal and results discarded.
func BenchmarkBulkRun(b *testing.B) {
	const n = 2000
	input := jsonlInput(n)
	run := func(b *testing.B, files bool) {
		b.ReportAllocs()
		for b.Loop() {
			in, _ := newInputReader(strings.NewReader(input), "b", formatJSONL, "sub")
			r := &bulkRun{In: in, Send: accept, Concurrency: 8, Stats: &bulkStats{}}
			if files {
				dir := b.TempDir()
				f, err := os.Create(filepath.Join(dir, "r.jsonl"))
				if err != nil {
					b.Fatal(err)
				}
				j, err := openJournal(filepath.Join(dir, "r.jsonl.journal"))
				if err != nil {
					b.Fatal(err)
				}
				r.Results, r.Journal = newResultsWriter(f, time.Second), j
				defer j.Close()
				defer r.Results.Close()
			} else {
				r.Results = newResultsWriter(discard{}, time.Hour)
			}
			if err := r.Run(make(chan struct{}), context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
	}
	b.Run("noop-send/files", func(b *testing.B) { run(b, true) })
	b.Run("noop-send/discard", func(b *testing.B) { run(b, false) })
}
