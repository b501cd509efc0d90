package cluster

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	spec := func(f func(*TopicSpec)) error {
		s := TopicSpec{Name: "t", Partitions: 6, ReplicationFactor: -1}
		f(&s)
		return s.Validate()
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"topic ok", spec(func(*TopicSpec) {}), ""},
		{"broker default partitions", spec(func(s *TopicSpec) { s.Partitions = -1 }), ""},
		{"negative partitions", spec(func(s *TopicSpec) { s.Partitions = -3 }), "--partitions -3: must be at least 1"},
		{"zero partitions", spec(func(s *TopicSpec) { s.Partitions = 0 }), "--partitions 0"},
		{"zero replicas", spec(func(s *TopicSpec) { s.ReplicationFactor = 0 }), "--replication-factor 0: must be between 1 and 32767"},
		{"too many replicas", spec(func(s *TopicSpec) { s.ReplicationFactor = 40000 }), "--replication-factor 40000"},
		{"empty name", spec(func(s *TopicSpec) { s.Name = "" }), "--topic must not be empty"},
		{"bad name", spec(func(s *TopicSpec) { s.Name = "a/b" }), `--topic "a/b"`},
		{"dot name", spec(func(s *TopicSpec) { s.Name = ".." }), `--topic ".."`},
		{"config ok", Config{Brokers: []string{"127.0.0.1:9092", "[::1]:9093", "kafka-0.kafka:9092"}}.Validate(), ""},
		{"no port", Config{Brokers: []string{"kafka"}}.Validate(), `broker address "kafka"`},
		{"port 0", Config{Brokers: []string{"kafka:0"}}.Validate(), `broker address "kafka:0"`},
		{"no host", Config{Brokers: []string{":9092"}}.Validate(), `broker address ":9092"`},
		{"negative timeout", Config{ConnectTimeout: -time.Second}.Validate(), "--connect-timeout -1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				if tc.err != nil {
					t.Fatalf("unexpected error %v", tc.err)
				}
				return
			}
			if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", tc.err, tc.want)
			}
		})
	}
}
