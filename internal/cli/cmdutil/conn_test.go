package cmdutil

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ktune/ktune/internal/clientcfg"
)

func TestRedactedArgs(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args, want []string
	}{
		{"no secrets", []string{"ktune", "produce", "-X", "linger.ms=5", "--property=acks=all"}, []string{"ktune", "produce", "-X", "linger.ms=5", "--property=acks=all"}},
		{"-X and its value apart", []string{"ktune", "-X", "sasl.jaas.config=x password=\"pw\";"}, []string{"ktune", "-X", "sasl.jaas.config=[hidden]"}},
		{"-X joined", []string{"ktune", "-Xssl.key.password=pw"}, []string{"ktune", "-Xssl.key.password=[hidden]"}},
		{"-X=", []string{"ktune", "-X=ssl.truststore.password=pw"}, []string{"ktune", "-X=ssl.truststore.password=[hidden]"}},
		{"--property=", []string{"ktune", "--property=sasl.jaas.config=secret"}, []string{"ktune", "--property=sasl.jaas.config=[hidden]"}},
		{"--property and its value apart", []string{"ktune", "--property", "ssl.keystore.key=-----BEGIN"}, []string{"ktune", "--property", "ssl.keystore.key=[hidden]"}},
		{"spaces around the name", []string{"-X", " sasl.jaas.config =x"}, []string{"-X", " sasl.jaas.config =[hidden]"}},
		{"a value with =", []string{"-X", "sasl.jaas.config=a=b"}, []string{"-X", "sasl.jaas.config=[hidden]"}},
		{"a secret-looking name", []string{"-X", "my.secret=s"}, []string{"-X", "my.secret=[hidden]"}},
		// Any name=value whose name looks secret is hidden, a flag's too.
		{"a flag named like a secret", []string{"--sasl-password-file=/run/pw", "--command-config", "c.properties"}, []string{"--sasl-password-file=[hidden]", "--command-config", "c.properties"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactedArgs(tc.args)
			if !slices.Equal(got, tc.want) {
				t.Errorf("RedactedArgs(%q) = %q, want %q", tc.args, got, tc.want)
			}
			for _, a := range got {
				if strings.Contains(a, "pw") || strings.Contains(a, "BEGIN") {
					t.Errorf("a secret is left in %q", a)
				}
			}
		})
	}
}

// TestClientPropsLayering checks the one order of a command's client
// property sources over a profile.
func TestClientPropsLayering(t *testing.T) {
	dir := t.TempDir()
	cc := filepath.Join(dir, "client.properties")
	if err := os.WriteFile(cc, []byte("linger.ms=2\nsecurity.protocol=SASL_SSL\nbatch.size=32768\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := ConnFlags{CommandConfig: cc, TLS: true, Props: []string{"batch.size=65536"}}
	profile := []clientcfg.Property{{Key: "linger.ms", Value: "20"}, {Key: "compression.type", Value: "lz4"}}
	props, err := f.ClientProps(profile)
	if err != nil {
		t.Fatal(err)
	}
	r, err := clientcfg.Resolve(props, clientcfg.Producer)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"compression.type":  "lz4",   // the profile
		"linger.ms":         "2",     // --command-config over the profile
		"security.protocol": "SSL",   // --tls over --command-config
		"batch.size":        "65536", // -X over --command-config
	} {
		if got := r.Effective()[k]; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if r.TLS() == nil {
		t.Error("--tls gave no TLS configuration")
	}
}
