// Command bareproduce is the ceiling ktune's producer is measured against:
// a bare franz-go producer with the client options ktune sets (the same
// -X properties resolved by clientcfg, the same connection options and
// topic creation), whose promise does nothing but count. It sends
// --records values of --record-size bytes, the very values `ktune produce`
// sends by default (ktune's random payload pool, seed 1), each with an
// 8-byte header named like ktune's timestamp header, so both put the same
// records on the wire; it recycles records through a sync.Pool and prints
// one JSON line: records,
// elapsed seconds (first send to last acknowledgement, as ktune's measured
// window) and records/s. scripts/bench-ceiling.sh runs it beside
// `ktune produce`.
//
//	go run ./internal/benchtools/bareproduce --brokers 127.0.0.1:9092 --topic t --records 1000000 --record-size 100 -X linger.ms=5
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
)

// props collects repeated -X name=value flags.
type props []string

func (p *props) String() string     { return strings.Join(*p, ",") }
func (p *props) Set(s string) error { *p = append(*p, s); return nil }

// report is what one run prints.
type report struct {
	Records       int64   `json:"records"`
	Errors        int64   `json:"errors"`
	ElapsedS      float64 `json:"elapsed_s"`
	RecordsPerSec float64 `json:"records_per_sec"`
}

func main() {
	var (
		brokers    = flag.String("brokers", "", "bootstrap host:port list (loopback only)")
		topic      = flag.String("topic", "", "topic to produce to, created when missing")
		partitions = flag.Int("partitions", 6, "partitions of a topic it creates")
		records    = flag.Int64("records", 1_000_000, "records to send")
		recordSize = flag.Int("record-size", 1024, "value size in bytes")
		header     = flag.Bool("header", true, "add an 8-byte header named "+loadgen.HeaderTS+", as ktune's records carry")
		pool       = flag.Bool("pool", true, "recycle records through a sync.Pool (false: allocate one per send)")
		cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
		xs         props
	)
	flag.Var(&xs, "X", "client property name=value, as ktune's -X (repeatable)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bareproduce:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*brokers, cluster.TopicSpec{Name: *topic, Partitions: *partitions}, *records, *recordSize, *header, *pool, xs); err != nil {
		fmt.Fprintln(os.Stderr, "bareproduce:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(brokers string, topic cluster.TopicSpec, n int64, size int, header, pool bool, xs []string) error {
	if brokers == "" || topic.Name == "" || n <= 0 || size < 0 {
		return fmt.Errorf("need --brokers, --topic, a positive --records and a --record-size")
	}
	ctx := context.Background()
	ps, err := clientcfg.ParseAssignments(xs)
	if err != nil {
		return err
	}
	res, err := clientcfg.Resolve(ps, clientcfg.Producer)
	if err != nil {
		return err
	}
	conn, err := cluster.Open(ctx, cluster.Config{Brokers: strings.Split(brokers, ",")})
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.EnsureTopic(ctx, topic); err != nil {
		return err
	}
	cl, err := conn.NewClient(append(res.ProducerOpts(0, 1), kgo.DefaultProduceTopic(topic.Name))...)
	if err != nil {
		return err
	}
	defer cl.Close()

	values, err := payload.NewValues(payload.ValueConfig{Kind: payload.Random, Size: size, Seed: 1})
	if err != nil {
		return err
	}
	var hs []kgo.RecordHeader
	if header {
		hs = []kgo.RecordHeader{{Key: loadgen.HeaderTS, Value: make([]byte, 8)}}
	}
	recs := sync.Pool{New: func() any { return &kgo.Record{} }}
	var acked, failed atomic.Int64
	var end atomic.Int64
	start := time.Now()
	promise := func(r *kgo.Record, err error) {
		if err != nil {
			failed.Add(1)
		}
		if pool {
			recs.Put(r)
		}
		if acked.Add(1) == n {
			end.Store(int64(time.Since(start)))
		}
	}
	for range n {
		var r *kgo.Record
		if pool {
			r = recs.Get().(*kgo.Record)
			*r = kgo.Record{}
		} else {
			r = new(kgo.Record)
		}
		r.Value, r.Headers = values.Next(), hs
		cl.Produce(ctx, r, promise)
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	elapsed := time.Duration(end.Load()).Seconds()
	ok := n - failed.Load()
	return json.NewEncoder(os.Stdout).Encode(report{
		Records: ok, Errors: failed.Load(), ElapsedS: elapsed, RecordsPerSec: float64(ok) / elapsed,
	})
}
