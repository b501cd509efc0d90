package root

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

// listener is a loopback TCP listener that counts the connections made to
// it: a broker address a command must not contact.
type listener struct {
	addr     string
	accepted atomic.Int64
}

func newListener(t *testing.T) *listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	l := &listener{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepted.Add(1)
			c.Close()
		}
	}()
	return l
}

// TestBadInputStopsBeforeWork runs ktune with a bad flag or property for
// every command and checks that it exits 1 with one line naming the flag,
// before any work: nothing is written in its working directory, no
// embedded cluster is started (ConnFlags.Open logs a warning before it
// starts one, which would be a second line), and with --brokers no
// connection reaches the broker address.
func TestBadInputStopsBeforeWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ktune processes")
	}
	bin, err := ktuneBinary()
	if err != nil {
		t.Fatal(err)
	}
	broker := newListener(t)
	fixtures := t.TempDir()
	notKtune := filepath.Join(fixtures, "not-ktune.json")
	os.WriteFile(notKtune, []byte(`{"hello": "world"}`), 0o644)
	missing := filepath.Join(fixtures, "missing")
	empty := filepath.Join(fixtures, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	// Documents report, compare and merge read: broken ones, and two
	// kinds of run whose latencies differ.
	broken := map[string]string{"empty.json": "", "truncated.json": `{"schema_version": 1, "kind": "pro`, "typed.json": `{"schema_version":"x"}`}
	for name, text := range broken {
		os.WriteFile(filepath.Join(fixtures, name), []byte(text), 0o644)
	}
	doc := func(name string, kind result.Kind) string {
		d := &result.Document{Header: result.NewHeader(kind)}
		path := filepath.Join(fixtures, name)
		if err := result.WriteJSON(path, d); err != nil {
			t.Fatal(err)
		}
		return path
	}
	produced, consumed := doc("produce.json", result.KindProduce), doc("consume.json", result.KindConsume)
	// Root may write anywhere but /proc; a file is no folder for anyone.
	unwritable := []string{"/proc/ktune-out", filepath.Join(notKtune, "sub")}

	render := func(run ...string) []string {
		return append([]string{"k8s", "render", "--workers", "2", "--run-id", "r1", "--image", "img", "--", "produce", "--brokers", "kafka:9092", "--allow-remote", "--records", "10"}, run...)
	}
	tests := []struct {
		args []string
		want string
		// conn: the command would connect; it runs a second time with
		// --brokers at a listener that must see no connection.
		conn bool
		env  []string
	}{
		// produce
		{args: []string{"produce", "--records", "10", "--partitions", "-3"}, want: "--partitions -3: must be at least 1", conn: true},
		{args: []string{"produce", "--records", "10", "--rate", "-5"}, want: "--rate -5: must be a positive number", conn: true},
		{args: []string{"produce", "--records", "10", "--compressibility", "2"}, want: "--compressibility 2: must be between 0 and 1", conn: true},
		{args: []string{"produce", "--records", "10", "--payload", "xml"}, want: `--payload "xml": must be random, text or file:PATH`, conn: true},
		{args: []string{"produce", "--records", "10", "-X", "acks=2"}, want: `-X acks: "2" is not one of 0, 1, all, -1`, conn: true},
		{args: []string{"produce", "--records", "10", "-X", "linger.msec=5"}, want: `-X unknown client property "linger.msec" (did you mean linger.ms?); run 'ktune config list'`, conn: true},
		{args: []string{"produce", "--records", "-3"}, want: "--records -3: must not be negative", conn: true},
		{args: []string{"produce", "--duration", "-5s"}, want: "--duration -5s: must not be negative", conn: true},
		{args: []string{"produce", "--records", "10", "--producers", "0"}, want: "--producers 0: must be at least 1", conn: true},
		{args: []string{"produce", "--records", "10", "--record-size", "0"}, want: "--record-size 0: must be between 1 and", conn: true},
		{args: []string{"produce", "--records", "10", "--key", "hash"}, want: `--key "hash": must be none, random, sequential or zipf`},
		{args: []string{"produce", "--records", "10", "--key", "random", "--key-space", "0"}, want: "--key-space 0: must be at least 1", conn: true},
		{args: []string{"produce", "--records", "10", "--replication-factor", "0"}, want: "--replication-factor 0: must be between 1 and 32767", conn: true},
		{args: []string{"produce", "--records", "10", "--headers", "-1"}, want: "--headers -1: must not be negative"},
		{args: []string{"produce", "--records", "10", "--max-errors", "-1"}, want: "--max-errors -1: must not be negative"},
		{args: []string{"produce", "--records", "10", "--timeout", "-1s"}, want: "--timeout -1s: must be positive", conn: true},
		{args: []string{"produce", "--records", "10", "--interval", "0s"}, want: "--interval 0s: must be positive"},
		{args: []string{"produce", "--records", "10", "--connect-timeout", "-1s"}, want: "--connect-timeout -1s: must be positive", conn: true},
		{args: []string{"produce", "--records", "10", "--log-level", "loud"}, want: `--log-level "loud": must be debug, info, warn or error`},
		{args: []string{"produce", "--records", "10", "--brokers", "nohost"}, want: `broker address "nohost"`},
		{args: []string{"produce", "--records", "10", "--payload", "file:" + missing}, want: "--payload file:" + missing, conn: true},
		{args: []string{"produce", "--records", "10", "--sasl-user", "u", "--sasl-mechanism", "GSSAPI"}, want: `--sasl-mechanism "GSSAPI": must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`, env: []string{"KTUNE_SASL_PASSWORD=pw"}, conn: true},
		{args: []string{"produce", "--records", "10", "--topic", "a b"}, want: `--topic "a b": use 1 to 249 letters`, conn: true},
		{args: []string{"produce", "--records", "10", "-X", "linger.ms=-1"}, want: `-X linger.ms: "-1" is not a whole number from 0 to 2147483647`, conn: true},
		{args: []string{"produce", "--records", "10", "--command-config", missing}, want: "reading client config", conn: true},
		{args: []string{"produce", "--records", "10", "--workers", "-1"}, want: "--workers -1: must be at least 1", conn: true},
		{args: []string{"produce", "--records", "10", "--workers", "2", "--worker-id", "0", "--run-id", "r", "--join-timeout", "-1s"}, want: "--join-timeout -1s: must be positive", conn: true},
		{args: []string{"produce", "--records", "10", "--topic-config", "=1"}, want: `--topic-config "=1": want name=value`, conn: true},
		// issue 28: refused before any work, bounds tied to the machine
		{args: []string{"produce", "--records", "10", "--payload", "file:" + empty}, want: "--payload file:" + empty + ": the file is empty", conn: true},
		{args: []string{"produce", "--records", "10", "--headers", "100000"}, want: "--headers 100000: at most 1000", conn: true},
		{args: []string{"produce", "--records", "10", "--producers", "100000"}, want: "--producers 100000: at most", conn: true},
		{args: []string{"produce", "--records", "10", "--record-size", "200MB"}, want: "--record-size 200000000: must be between 1 and", conn: true},
		{args: []string{"produce", "--records", "10", "--record-size", "lots"}, want: `"--record-size"`, conn: true},
		{args: []string{"produce", "--records", "10", "--out", filepath.Join(unwritable[0], "p.json")}, want: "--out /proc/ktune-out: cannot write in /proc", conn: true},
		{args: []string{"produce", "--records", "10", "--out", filepath.Join(unwritable[1], "p.json")}, want: "is a file, not a folder", conn: true},
		{args: []string{"produce", "--records", "10", "--out", fixtures}, want: "--out " + fixtures + ": a folder", conn: true},
		{args: []string{"e2e", "--records", "10", "--rate", "10", "--out", filepath.Join(unwritable[0], "e.json")}, want: "--out /proc/ktune-out", conn: true},
		{args: []string{"e2e", "--records", "10", "--rate", "10", "--consumers", "100000"}, want: "--consumers 100000: at most", conn: true},
		{args: []string{"consume", "--records", "10", "--out", filepath.Join(unwritable[0], "c.json")}, want: "--out /proc/ktune-out", conn: true},
		{args: []string{"consume", "--assign", "--group", "g"}, want: `--assign with --group "g"`, conn: true},
		{args: []string{"consume", "--consumers", "100000"}, want: "--consumers 100000: at most", conn: true},
		{args: []string{"sweep", "--linger", "0,5", "--budget", "1s"}, want: "the sweep does not fit its budget", conn: true},
		{args: []string{"sweep", "--linger", "0,5", "--record-size", "200MB"}, want: "--record-size", conn: true},
		{args: []string{"sweep", "--linger", "0,5", "--out", filepath.Join(unwritable[0], "s.json")}, want: "--out /proc/ktune-out", conn: true},
		{args: []string{"maxrate", "--slo", "p99=50ms", "--out", filepath.Join(unwritable[0], "m.json")}, want: "--out /proc/ktune-out", conn: true},
		{args: []string{"maxrate", "--slo", "p99=50ms", "--headers", "100000"}, want: "--headers 100000: at most 1000", conn: true},
		{args: []string{"compare", "kafka-defaults", "throughput", "--out", filepath.Join(unwritable[0], "c.json")}, want: "--out /proc/ktune-out", conn: true},
		{args: []string{"compare", produced, produced}, want: "are the same file", conn: true},
		{args: []string{"compare", produced, consumed}, want: "is a consume result but " + produced + " a produce result", conn: true},
		{args: []string{"compare", "kafka-defaults", consumed}, want: "is a consume result", conn: true},
		{args: []string{"disrupt", "--action", "explode"}, want: `--action "explode": must be one of broker-stop`, conn: true},
		{args: []string{"disrupt", "--action", "reassign", "--rate", "0"}, want: "--rate 0: disrupt needs a set rate", conn: true},
		{args: []string{"disrupt", "--action", "reassign", "--throttle", "-5"}, want: "--throttle -5: must not be negative", conn: true},
		{args: []string{"disrupt", "--action", "broker-restart"}, want: "--action broker-restart needs --exec", conn: true},
		{args: []string{"disrupt", "--action", "broker-restart", "--exec", "true"}, want: "--action broker-restart needs --exec-start", conn: true},
		{args: []string{"disrupt", "--action", "add-broker"}, want: "--action add-broker needs --broker ID", conn: true},
		{args: []string{"disrupt", "--action", "reassign", "--warmup", "5000"}, want: "--warmup 5000: disrupt takes a duration", conn: true},
		{args: []string{"disrupt", "--action", "reassign", "--p99-tolerance", "-1"}, want: "--p99-tolerance -1: must be a positive fraction", conn: true},
		{args: []string{"disrupt", "--action", "consumer-join", "--members", "0"}, want: "--members 0: must be at least 1", conn: true},
		{args: []string{"disrupt", "--action", "add-partitions", "--add-partitions", "0"}, want: "--add-partitions 0: must be at least 1", conn: true},
		{args: []string{"disrupt", "--action", "reassign", "--out", filepath.Join(unwritable[0], "d.json")}, want: "--out /proc/ktune-out", conn: true},
		{args: []string{"disrupt", "--action", "reassign", "--producers", "100000"}, want: "--producers 100000: at most", conn: true},
		{args: []string{"drain", "--backlog", "0"}, want: "--backlog 0: must be at least 1 byte", conn: true},
		{args: []string{"drain", "--out", filepath.Join(unwritable[0], "d.json")}, want: "--out /proc/ktune-out", conn: true},
		{args: []string{"probe", "--out", filepath.Join(unwritable[0], "p.json")}, want: "--out /proc/ktune-out"},
		{args: []string{"report", notKtune, "--out", unwritable[0]}, want: "--out /proc/ktune-out: cannot write in /proc"},
		{args: []string{"report", filepath.Join(fixtures, "empty.json")}, want: "empty.json: not a ktune document: the file is empty"},
		{args: []string{"report", filepath.Join(fixtures, "truncated.json")}, want: "truncated.json: not a ktune document: invalid JSON: the file ends early"},
		{args: []string{"report", filepath.Join(fixtures, "typed.json")}, want: "typed.json: not a ktune document: invalid JSON: schema_version holds a string where a whole number is expected"},
		{args: []string{"merge", filepath.Join(fixtures, "typed.json")}, want: "schema_version holds a string"},
		{args: []string{"compare", filepath.Join(fixtures, "truncated.json"), produced}, want: "the file ends early"},
		{args: render("--duration", "2h"), want: "--deadline 1h0m0s: the run's --duration 2h0m0s"},
		{args: []string{"k8s", "render", "--workers", "2", "--run-id", "r1", "--image", "img", "--deadline", "1s", "--", "produce", "--brokers", "kafka:9092", "--allow-remote", "--duration", "10m"}, want: "--deadline 1s: the run's --duration 10m0s (plus warm-up 0s) cannot finish within it"},
		{args: []string{"config", "frob"}, want: `unknown command "frob" for "ktune config": must be one of list, show`},
		{args: []string{"profiles", "frob"}, want: `unknown command "frob" for "ktune profiles"`},
		{args: []string{"k8s", "frob"}, want: `unknown command "frob" for "ktune k8s"`},
		{args: []string{"completion", "tcsh"}, want: `unknown command "tcsh" for "ktune completion": must be one of bash, fish, powershell, zsh`},
		// consume
		{args: []string{"consume", "--consumers", "0"}, want: "--consumers 0: must be at least 1", conn: true},
		{args: []string{"consume", "--from", "middle"}, want: `--from "middle": must be earliest or latest`, conn: true},
		{args: []string{"consume", "--records", "-1"}, want: "--records -1: must not be negative", conn: true},
		{args: []string{"consume", "--idle-timeout", "-1s"}, want: "--idle-timeout -1s: must be positive", conn: true},
		{args: []string{"consume", "-X", "max.poll.records=0"}, want: `-X max.poll.records: "0" is not a whole number from 1`, conn: true},
		// e2e
		{args: []string{"e2e", "--records", "10", "--rate", "0"}, want: "--rate 0: e2e needs a set rate", conn: true},
		{args: []string{"e2e", "--records", "10", "--consumers", "0"}, want: "--consumers 0: must be at least 1", conn: true},
		{args: []string{"e2e", "--records", "10", "--compressibility", "-0.5"}, want: "--compressibility -0.5: must be between 0 and 1", conn: true},
		// drain --vary
		{args: []string{"drain", "--vary", "max.poll.records=1,2,3,4,5", "--vary", "consumers=1,2,3,4"}, want: "--vary: 5 x 4 = 20 drains; at most 16 in one run", conn: true},
		{args: []string{"drain", "--vary", "linger.ms=0,5"}, want: "--vary linger.ms: not a consumer property", conn: true},
		{args: []string{"drain", "--vary", "max.poll.records=50,abc"}, want: `--vary max.poll.records: "abc" is not a whole number`, conn: true},
		// sweep
		{args: []string{"sweep", "--linger", "0,5", "--records", "0"}, want: "--records 0: must be at least 1", conn: true},
		{args: []string{"sweep", "--linger", "0,5", "--repeat", "0"}, want: "--repeat 0: must be at least 1", conn: true},
		{args: []string{"sweep", "--linger", "0,5", "--mode", "random"}, want: `sweep mode "random": must be grid or one-at-a-time`, conn: true},
		{args: []string{"sweep", "--linger", "0,5", "--partitions", "0,3"}, want: `--partitions "0": must be whole numbers of at least 1`, conn: true},
		{args: []string{"sweep", "--acks", "1,all", "-X", "enable.idempotence=true"}, want: "point acks=1: enable.idempotence=true needs acks=all", conn: true},
		{args: []string{"sweep", "--linger", "0,5", "-X", "acks=2"}, want: `-X acks: "2" is not one of 0, 1, all, -1`, conn: true},
		{args: []string{"sweep", "--linger", "0,5", "--rate", "-1"}, want: "--rate -1: must be a positive number", conn: true},
		{args: []string{"sweep", "--compression", "none,lz4", "--payload", "zip"}, want: `--payload "zip": must be random, text or file:PATH`, conn: true},
		{args: []string{"sweep", "--compression", "none,lz4", "--compressibility", "2"}, want: "--compressibility 2: must be between 0 and 1", conn: true},
		// maxrate
		{args: []string{"maxrate", "--slo", "p99=50ms", "--window", "0s"}, want: "--window 0s: must be positive", conn: true},
		{args: []string{"maxrate", "--slo", "p99=50ms", "--min-achieved", "1.5"}, want: "--min-achieved 1.5: must be more than 0 and at most 1", conn: true},
		{args: []string{"maxrate", "--slo", "p99=50ms", "--steps", "0"}, want: "--steps 0: must be at least 1", conn: true},
		{args: []string{"maxrate", "--slo", "p99=50ms", "--partitions", "-3"}, want: "--partitions -3: must be at least 1", conn: true},
		// compare
		{args: []string{"compare", "kafka-defaults", "throughput", "--repeat", "0"}, want: "--repeat 0: must be at least 1", conn: true},
		{args: []string{"compare", "kafka-defaults", "throughput", "--rate", "-5"}, want: "--rate -5: must be a positive number", conn: true},
		{args: []string{"compare", "kafka-defaults", "durability", "-X", "acks=1", "-X", "enable.idempotence=true"}, want: "enable.idempotence=true needs acks=all", conn: true},
		// tune
		{args: []string{"tune", "--preset", "huge"}, want: `--preset "huge": must be quick or full`, conn: true},
		{args: []string{"tune", "--slo", "-1s"}, want: `"-1s" is not a p99 objective`, conn: true},
		{args: []string{"tune", "--goal", "speed"}, want: `--goal "speed": must be throughput, latency, durability or balanced`, conn: true},
		{args: []string{"tune", "-X", "acks=2"}, want: `-X acks: "2" is not one of 0, 1, all, -1`, conn: true},
		{args: []string{"tune", "--peak-factor", "0.5"}, want: "--peak-factor 0.5: must be at least 1", conn: true},
		// advise
		{args: []string{"advise", "--avg-mbps", "-1"}, want: "--avg-mbps -1: must not be negative", conn: true},
		{args: []string{"advise", "--avg-mbps", "1", "--replication-factor", "-1"}, want: "--replication-factor -1: must be at least 1", conn: true},
		{args: []string{"advise", "--avg-mbps", "1", "--retention", "-1h"}, want: "--retention", conn: true},
		{args: []string{"advise", "--avg-mbps", "1", "--goal", "speed"}, want: `--goal "speed"`, conn: true},
		{args: []string{"advise", "--avg-mbps", "1", "--write-properties", "props"}, want: "no recommended configuration to write", conn: true},
		{args: []string{"advise", "--avg-mbps", "1", "--brokers", "nohost"}, want: `broker address "nohost"`},
		// probe
		{args: []string{"probe", "--disk-test-size", "1MiB"}, want: "--disk-test-size 1048576 bytes: must be at least 4 MiB"},
		{args: []string{"probe", "--budget", "-1s"}, want: "--budget -1s: must be positive"},
		{args: []string{"probe", "--nic-speed", "-1"}, want: "--nic-speed -1: must be a speed in Mb/s"},
		{args: []string{"probe", "--log-dir", missing}, want: "--log-dir " + missing},
		{args: []string{"probe", "-o", "yaml"}, want: `--output "yaml": must be table or json`},
		// report
		{args: []string{"report", missing + ".json"}, want: "no such file"},
		{args: []string{"report", notKtune}, want: "not a ktune document"},
		{args: []string{"report", notKtune, "--out", ""}, want: "--out must not be empty"},
		// merge
		{args: []string{"merge", "--run-id", "r1", "--wait", "0s"}, want: "--wait 0s: must be positive", conn: true},
		{args: []string{"merge", "--run-id", "r1"}, want: "--run-id needs --brokers"},
		{args: []string{"merge", "--run-id", "bad id!"}, want: `--run-id "bad id!": use up to 100 letters`, conn: true},
		{args: []string{"merge", "--run-id", "r1", "--workers", "-1"}, want: "--workers -1: must be at least 1", conn: true},
		// k8s render: the run after -- is checked as the command would
		{args: render("-X", "acks=2"), want: `-X acks: "2" is not one of 0, 1, all, -1`},
		{args: render("--rate", "-5"), want: "--rate -5: must be a positive number"},
		{args: render("--payload", "xml"), want: `--payload "xml": must be random, text or file:PATH`},
		{args: render("--records", "-3"), want: "--records -3: must not be negative"},
		{args: render("--partitions", "0"), want: "--partitions 0: must be at least 1"},
		{args: render("-X", "ssl.truststore.location=/home/me/ca.pem"), want: "-X ssl.truststore.location=/home/me/ca.pem names a local file the pods do not have"},
		{args: render("-X", "ssl.keystore.location=/home/me/client.pem"), want: "as ssl.keystore.certificate.chain and ssl.keystore.key"},
		{args: []string{"k8s", "render", "--workers", "0", "--image", "img", "--", "produce", "--brokers", "kafka:9092", "--allow-remote", "--records", "10"}, want: "--workers 0: must be at least 1"},
		// embedded, profiles, config
		{args: []string{"embedded", "--brokers", "0"}, want: "--brokers 0: must be at least 1"},
		{args: []string{"embedded", "--duration", "0s"}, want: "--duration must be positive"},
		{args: []string{"profiles", "show", "nope"}, want: "no such profile"},
		{args: []string{"config", "list", "--role", "broker"}, want: `--role "broker": must be producer, consumer or admin`},
		{args: []string{"config", "list", "-o", "yaml"}, want: `--output "yaml": must be table or json`},
		{args: []string{"config", "show", "-X", "acks=2"}, want: `-X acks: "2" is not one of 0, 1, all, -1`},
		{args: []string{"config", "show", "-X", "nonsense=1"}, want: `-X unknown client property "nonsense"`},
		{args: []string{"config", "show", "--command-config", missing}, want: "reading client config"},
	}
	if len(tests) < 60 {
		t.Fatalf("%d cases; the table holds at least 60", len(tests))
	}
	for _, tc := range tests {
		variants := [][]string{tc.args}
		if tc.conn {
			variants = append(variants, append(append([]string{}, tc.args...), "--brokers", broker.addr))
		}
		for _, args := range variants {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				dir := t.TempDir()
				before := broker.accepted.Load()
				r := testkit.RunIn(dir, bin, tc.env, time.Minute, args...)
				var exit *exec.ExitError
				if !errors.As(r.Err, &exit) || exit.ExitCode() != 1 {
					t.Fatalf("exit: %v, want status 1\nstderr: %s", r.Err, r.Stderr)
				}
				lines := strings.Split(strings.TrimRight(r.Stderr, "\n"), "\n")
				if len(lines) != 1 || !strings.HasPrefix(lines[0], "ktune: ") || !strings.Contains(lines[0], tc.want) {
					t.Errorf("stderr %q: want one line with %q", r.Stderr, tc.want)
				}
				if r.Stdout != "" {
					t.Errorf("stdout %q, want nothing", r.Stdout)
				}
				if entries, _ := os.ReadDir(dir); len(entries) > 0 {
					t.Errorf("wrote %s in its working directory", entries[0].Name())
				}
				// The listener accepts in its own goroutine: give a
				// connection that was made the time to be counted.
				time.Sleep(20 * time.Millisecond)
				if n := broker.accepted.Load() - before; n > 0 {
					t.Errorf("%d connections to the broker address", n)
				}
			})
		}
	}
}
