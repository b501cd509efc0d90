package root

import (
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// commandConfig writes an operator's client properties file: values set
// nowhere else, and linger.ms over the profiles' own.
func commandConfig(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "client.properties")
	const text = "# an operator's file\nclient.id=from-command-config\nlinger.ms=7\nmax.partition.fetch.bytes=2097152\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// decodeFile reads the ktune document at path with decode.
func decodeFile[T any](t *testing.T, path string, decode func(io.Reader) (T, error)) T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// runDecode runs ktune with args and --out path and decodes what it wrote.
func runDecode[T any](t *testing.T, path string, decode func(io.Reader) (T, error), args ...string) T {
	t.Helper()
	if _, errOut, err := run(t, append(args, "--out", path)...); err != nil {
		t.Fatalf("%s: %v\n%s", args[0], err, errOut)
	}
	return decodeFile(t, path, decode)
}

// plus returns m with the name, value pairs kv added.
func plus(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// hasProps reports the properties of want that cfg does not hold.
func hasProps(cfg map[string]string, want map[string]string) []string {
	var bad []string
	for k, v := range want {
		if cfg[k] != v {
			bad = append(bad, k+"="+cfg[k]+" (want "+v+")")
		}
	}
	return bad
}

var (
	fromFileProducer = map[string]string{"client.id": "from-command-config", "linger.ms": "7"}
	fromFileConsumer = map[string]string{"client.id": "from-command-config", "max.partition.fetch.bytes": "2097152"}
)

// TestCommandConfigLayering runs sweep, compare and maxrate with a
// --command-config file: its values reach every run, over a profile and
// under -X and the sweep's dimensions.
func TestCommandConfigLayering(t *testing.T) {
	dir := t.TempDir()
	cc := commandConfig(t, dir)

	doc := runDecode(t, filepath.Join(dir, "s.json"), result.DecodeSweep, "sweep", "--command-config", cc, "--compression", "none,lz4",
		"--fetch-max-bytes", "50m,100m", "-X", "batch.size=32768", "--records", "1000", "--record-size", "200", "--no-report")
	if len(doc.Points) != 4 {
		t.Fatalf("sweep: %d points", len(doc.Points))
	}
	for _, p := range doc.Points {
		if p.Produce == nil || p.Consume == nil {
			t.Fatalf("point %s lacks its produce or consume result", p.Key)
		}
		want := plus(fromFileProducer, "batch.size", "32768", "compression.type", p.Params["producer:compression.type"])
		if bad := hasProps(p.Produce.Config.Producer, want); len(bad) > 0 {
			t.Errorf("sweep point %s producer: %v", p.Key, bad)
		}
		if bad := hasProps(p.Consume.Config.Consumer, fromFileConsumer); len(bad) > 0 {
			t.Errorf("sweep point %s consumer: %v", p.Key, bad)
		}
	}

	// The profile sets linger.ms=20 and batch.size=131072: --command-config
	// overrides the first, -X the second.
	c := runDecode(t, filepath.Join(dir, "c.json"), result.DecodeComparison, "compare", "kafka-defaults", "throughput", "--command-config", cc,
		"-X", "batch.size=65536", "--records", "1000", "--record-size", "200", "--repeat", "1", "--no-report")
	if len(c.Entries) != 2 {
		t.Fatalf("compare: %d entries", len(c.Entries))
	}
	for _, e := range c.Entries {
		if len(e.Runs) != 1 {
			t.Fatalf("compare %s: %d runs", e.Name, len(e.Runs))
		}
		want := plus(fromFileProducer, "batch.size", "65536")
		if e.Name == "throughput" {
			want["compression.type"] = "lz4" // the profile's, nothing overrides it
		}
		if bad := hasProps(e.Runs[0].Config.Producer, want); len(bad) > 0 {
			t.Errorf("compare %s run: %v", e.Name, bad)
		}
	}

	m := runDecode(t, filepath.Join(dir, "m.json"), result.DecodeMaxRate, "maxrate", "--command-config", cc, "--slo", "p99=1s",
		"--ceiling", "2000", "--steps", "1", "--window", "300ms", "--window-warmup", "100ms", "--record-size", "200")
	if bad := hasProps(m.Config.Producer, fromFileProducer); len(bad) > 0 {
		t.Errorf("maxrate: %v", bad)
	}
}

// TestTuneUsesCommandConfig runs ktune tune (about 45 s on the embedded
// cluster) with a --command-config file and checks every artefact that
// records a client configuration.
func TestTuneUsesCommandConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole tune on the embedded cluster")
	}
	dir := t.TempDir()
	cc := commandConfig(t, dir)
	out := filepath.Join(dir, "tune")
	_, errOut, err := run(t, "tune", "--command-config", cc, "--out", out)
	if err != nil {
		t.Fatalf("tune: %v\n%s", err, errOut)
	}
	check := func(where string, cfg map[string]string, want map[string]string) {
		t.Helper()
		if bad := hasProps(cfg, want); len(bad) > 0 {
			t.Errorf("%s: %v", where, bad)
		}
	}
	// The producer sweep sweeps linger.ms itself: only client.id must
	// come from the file there.
	producerNotSwept := map[string]string{"client.id": "from-command-config"}
	for _, name := range []string{"produce-1-partition.json", "consume-1-partition.json"} {
		d := decodeFile(t, filepath.Join(out, name), result.Decode)
		if strings.HasPrefix(name, "produce") {
			check(name, d.Config.Producer, fromFileProducer)
		} else {
			check(name, d.Config.Consumer, fromFileConsumer)
		}
	}
	m := decodeFile(t, filepath.Join(out, "maxrate.json"), result.DecodeMaxRate)
	check("maxrate.json", m.Config.Producer, fromFileProducer)
	for name, prod := range map[string]map[string]string{"sweep-producer.json": producerNotSwept, "sweep-consumer.json": fromFileProducer} {
		s := decodeFile(t, filepath.Join(out, name), result.DecodeSweep)
		if len(s.Points) == 0 {
			t.Fatalf("%s: no points", name)
		}
		for _, p := range s.Points {
			check(name+" "+p.Key+" producer", p.Produce.Config.Producer, prod)
			if p.Consume != nil {
				check(name+" "+p.Key+" consumer", p.Consume.Config.Consumer, fromFileConsumer)
			}
		}
	}
}
