package clientcfg

import (
	"strings"
	"testing"
)

func TestDescribeAll(t *testing.T) {
	docs := DescribeAll(Line3)
	if len(docs) != len(specList) {
		t.Fatalf("%d described, %d in the table", len(docs), len(specList))
	}
	byName := map[string]PropertyDoc{}
	for _, d := range docs {
		if len(d.Roles) == 0 || d.Valid == "" {
			t.Errorf("%s: roles %v, valid %q", d.Name, d.Roles, d.Valid)
		}
		byName[d.Name] = d
	}
	for _, tc := range []struct {
		name        string
		def         string
		roles       string
		secret      bool
		file        bool
		franzGoPart string
	}{
		{"linger.ms", "0", "producer", false, false, "10 ms"},
		{"compression.type", "none", "producer", false, false, "snappy"},
		{"fetch.max.wait.ms", "500", "consumer", false, false, "5 s"},
		{"sasl.jaas.config", "", "producer,consumer,admin", true, false, ""},
		{"ssl.keystore.key", "", "producer,consumer,admin", true, false, ""},
		{"ssl.truststore.location", "", "producer,consumer,admin", false, true, ""},
		{"check.crcs", "true", "consumer", false, false, "accepted and ignored"},
		{"acks", "all", "producer", false, false, ""},
	} {
		d, ok := byName[tc.name]
		if !ok {
			t.Errorf("%s not described", tc.name)
			continue
		}
		if d.Default != tc.def || strings.Join(d.Roles, ",") != tc.roles || d.Secret != tc.secret || d.LocalFile != tc.file || !strings.Contains(d.FranzGo, tc.franzGoPart) {
			t.Errorf("%s: %+v", tc.name, d)
		}
		if tc.franzGoPart == "" && d.FranzGo != "" {
			t.Errorf("%s: franz-go difference %q, want none", tc.name, d.FranzGo)
		}
	}
	// Describe(role) is DescribeAll filtered by role.
	for _, role := range []Role{Producer, Consumer, Admin} {
		n := 0
		for _, d := range docs {
			if strings.Contains(","+strings.Join(d.Roles, ",")+",", ","+role.String()+",") {
				n++
			}
		}
		if got := len(Describe(role, Line3)); got != n {
			t.Errorf("%s: %d described, %d with the role", role, got, n)
		}
	}
}

func TestLocalFileAndRoles(t *testing.T) {
	for name, want := range map[string]bool{
		"ssl.truststore.location": true, "ssl.keystore.location": true, "ssl.foo.location": true,
		"sasl.kerberos.service.name": true, "sasl.oauthbearer.token.file": true,
		"ssl.truststore.certificates": false, "linger.ms": false, "sasl.jaas.config": false,
	} {
		if _, got := LocalFile(name); got != want {
			t.Errorf("LocalFile(%s) = %v, want %v", name, got, want)
		}
	}
	if inline, _ := LocalFile("ssl.truststore.location"); inline != "ssl.truststore.certificates" {
		t.Errorf("truststore inline %q", inline)
	}
	for _, name := range []string{"producer", "consumer", "admin"} {
		if r, err := ParseRole(name); err != nil || r.String() != name {
			t.Errorf("ParseRole(%s) = %v, %v", name, r, err)
		}
	}
	if _, err := ParseRole("broker"); err == nil || !strings.Contains(err.Error(), `--role "broker": must be producer, consumer or admin`) {
		t.Errorf("ParseRole(broker): %v", err)
	}
}

func TestConnectionPropsRefuseUnsupportedMechanisms(t *testing.T) {
	for _, mech := range []string{"GSSAPI", "OAUTHBEARER", "scram"} {
		_, err := ConnectionProps(ConnectionFlags{SASLMechanism: mech, SASLUser: "u", SASLPassword: "p"})
		if err == nil || !strings.Contains(err.Error(), `--sasl-mechanism "`+mech+`": must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`) {
			t.Errorf("%s: %v", mech, err)
		}
	}
	for _, mech := range []string{"", "plain", "SCRAM-SHA-256", "scram-sha-512"} {
		if _, err := ConnectionProps(ConnectionFlags{SASLMechanism: mech, SASLUser: "u", SASLPassword: "p"}); err != nil {
			t.Errorf("%q: %v", mech, err)
		}
	}
}
