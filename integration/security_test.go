package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/result"
)

// produceConsumeCLI runs ktune produce then ktune consume of the same
// records with the connection arguments conn and checks both results.
func produceConsumeCLI(t *testing.T, env, conn []string, check func(*result.Document)) {
	t.Helper()
	dir := t.TempDir()
	topic := topicName(t)
	run := func(name string, args ...string) *result.Document {
		t.Helper()
		out := filepath.Join(dir, name+".json")
		got, err := runKtune(t, env, append(append(args, conn...), "--topic", topic, "--records", "500", "--out", out)...)
		if err != nil {
			t.Fatalf("ktune %s: %v\n%s", name, err, got)
		}
		doc, err := result.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Metrics.Records != 500 || doc.Metrics.ErrorsTotal != 0 {
			t.Fatalf("ktune %s: %d records, errors %v", name, doc.Metrics.Records, doc.Metrics.Errors)
		}
		check(doc)
		return doc
	}
	p := run("produce", "produce", "--partitions", "2")
	c := run("consume", "consume", "--idle-timeout", "20s")
	if c.Metrics.Bytes != p.Metrics.Bytes {
		t.Errorf("consumed %d bytes, produced %d", c.Metrics.Bytes, p.Metrics.Bytes)
	}
}

func tlsEnv(t *testing.T) (ca, cert, key string) {
	t.Helper()
	ca, cert, key = os.Getenv("KTUNE_KAFKA_TLS_CA"), os.Getenv("KTUNE_KAFKA_TLS_CLIENT_CERT"), os.Getenv("KTUNE_KAFKA_TLS_CLIENT_KEY")
	if os.Getenv("KTUNE_KAFKA_TLS_BOOTSTRAP") == "" || ca == "" {
		t.Skip("no TLS listener (start the cluster with scripts/kafka.sh start --tls)")
	}
	return ca, cert, key
}

// TestTLS produces and consumes over the brokers' TLS listener, trusting
// the CA kafka.sh made, and refuses a certificate from another CA in one
// line that says what to pass.
func TestTLS(t *testing.T) {
	ca, _, _ := tlsEnv(t)
	b := os.Getenv("KTUNE_KAFKA_TLS_BOOTSTRAP")
	produceConsumeCLI(t, nil, []string{"--brokers", b, "--tls-ca", ca}, func(d *result.Document) {
		if !d.Cluster.TLS {
			t.Errorf("the result does not record TLS: %+v", d.Cluster)
		}
	})

	other := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(other, selfSignedCA(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runKtune(t, nil, "produce", "--brokers", b, "--tls-ca", other, "--records", "10", "--topic", topicName(t), "--connect-timeout", "10s", "--out", filepath.Join(t.TempDir(), "x.json"))
	if err == nil {
		t.Fatalf("a broker certificate from another CA was accepted:\n%s", out)
	}
	line := strings.TrimSpace(out)
	if strings.Contains(line, "\n") || !strings.Contains(line, "--tls-ca") || !strings.Contains(line, "unknown authority") {
		t.Errorf("want one line naming the untrusted certificate and --tls-ca, got:\n%s", out)
	}
}

// TestMutualTLS uses the listener that requires a client certificate: the
// one kafka.sh signed is accepted, none is refused in one line.
func TestMutualTLS(t *testing.T) {
	ca, cert, key := tlsEnv(t)
	b := os.Getenv("KTUNE_KAFKA_MTLS_BOOTSTRAP")
	produceConsumeCLI(t, nil, []string{"--brokers", b, "--tls-ca", ca, "--tls-cert", cert, "--tls-key", key}, func(d *result.Document) {
		if !d.Cluster.TLS {
			t.Errorf("the result does not record TLS: %+v", d.Cluster)
		}
	})
	keyPEM, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := runKtune(t, nil, "produce", "--brokers", b, "--tls-ca", ca, "--records", "10", "--topic", topicName(t), "--connect-timeout", "10s", "--out", filepath.Join(dir, "x.json"))
	if err == nil {
		t.Fatalf("the mutual-TLS listener accepted a client without a certificate:\n%s", out)
	}
	line := strings.TrimSpace(out)
	if strings.Contains(line, "\n") || !strings.Contains(line, "--tls-cert") {
		t.Errorf("want one line that asks for --tls-cert, got:\n%s", out)
	}
	if strings.Contains(out, strings.TrimSpace(string(keyPEM))) {
		t.Error("the client key appears in ktune's output")
	}
}

// TestSASL runs every mechanism the SASL listener offers with the right
// password (produce and consume) and a wrong one (refused in one line);
// the password is in no output or result file.
func TestSASL(t *testing.T) {
	b := os.Getenv("KTUNE_KAFKA_SASL_BOOTSTRAP")
	if b == "" {
		t.Skip("no SASL listener (start the cluster with scripts/kafka.sh start --sasl)")
	}
	user, pass := os.Getenv("KTUNE_KAFKA_SASL_USER"), os.Getenv("KTUNE_KAFKA_SASL_PASSWORD")
	mechs := os.Getenv("KTUNE_KAFKA_SASL_MECHANISMS")
	if mechs == "" {
		mechs = "SCRAM-SHA-512" // a cluster from an older kafka.sh
	}
	for _, mech := range strings.Split(mechs, ",") {
		t.Run(mech, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "sasl.json")
			topic := topicName(t)
			base := []string{"--brokers", b, "--sasl-mechanism", mech, "--sasl-user", user, "--topic", topic, "--records", "500", "--log-level", "debug"}
			env := []string{"KTUNE_SASL_PASSWORD=" + pass}

			got, err := runKtune(t, env, append([]string{"produce", "--partitions", "1", "--out", out}, base...)...)
			if err != nil {
				t.Fatalf("right credentials: %v\n%s", err, got)
			}
			doc, err := result.ReadFile(out)
			if err != nil || doc.Metrics.Records != 500 || doc.Cluster.SASLMechanism != mech {
				t.Fatalf("result: %v %+v", err, doc.Cluster)
			}
			cout := filepath.Join(dir, "consume.json")
			cgot, err := runKtune(t, env, append([]string{"consume", "--idle-timeout", "20s", "--out", cout}, base...)...)
			if err != nil {
				t.Fatalf("consume with right credentials: %v\n%s", err, cgot)
			}
			if c, err := result.ReadFile(cout); err != nil || c.Metrics.Records != 500 {
				t.Fatalf("consume result: %v", err)
			}
			for _, f := range []string{out, cout} {
				file, _ := os.ReadFile(f)
				if strings.Contains(string(file), pass) {
					t.Fatalf("the SASL password appears in %s", filepath.Base(f))
				}
			}
			if strings.Contains(got, pass) || strings.Contains(cgot, pass) {
				t.Fatal("the SASL password appears in ktune's output")
			}

			bad, err := runKtune(t, []string{"KTUNE_SASL_PASSWORD=wrong-" + pass}, append([]string{"produce", "--out", filepath.Join(dir, "bad.json")}, base[:len(base)-2]...)...)
			line := strings.TrimSpace(bad)
			if err == nil || strings.Contains(line, "\n") || !strings.Contains(line, "authentication to") || !strings.Contains(line, "failed") {
				t.Fatalf("wrong password: want one line saying authentication failed; err %v\n%s", err, bad)
			}
			if strings.Contains(bad, pass) {
				t.Fatal("the password appears in the error output")
			}
			if _, err := os.Stat(filepath.Join(dir, "bad.json")); err == nil {
				t.Error("a refused run wrote a result file")
			}
		})
	}
}

// selfSignedCA returns the PEM certificate of a fresh CA that signed
// nothing the brokers hold.
func selfSignedCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the brokers' CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
