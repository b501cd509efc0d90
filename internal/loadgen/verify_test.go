package loadgen

import (
	"context"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/testkit"
)

// TestE2EVerifyAuditsEveryRecord runs e2e with the audit on the embedded
// broker: every record is acknowledged and read once, in order, and a
// second consume of the topic with its own audit agrees.
func TestE2EVerifyAuditsEveryRecord(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	makeTopic(t, conn, "verify", 3)
	pc := produceCfg("verify", 2000)
	pc.Rate, pc.Producers, pc.WarmupRecords = 4000, 2, 200
	ledger := audit.New()
	doc, err := E2E(context.Background(), conn, E2EConfig{
		Produce: pc, Consume: ConsumeConfig{Partitions: 3, Interval: time.Second}, Audit: ledger,
	})
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Audit
	if a == nil || a.Acknowledged != 2200 || a.Read != 2200 || !a.Clean() || a.Basis != "acknowledged" {
		t.Fatalf("audit %+v", a)
	}

	again, err := Consume(context.Background(), conn, ConsumeConfig{
		Topic: "verify", Assign: true, Records: 2200, Interval: time.Second, Audit: audit.New(),
	})
	if err != nil {
		t.Fatal(err)
	}
	b := again.Audit
	if b.Read != 2200 || !b.Clean() || b.Basis != "sequence" {
		t.Fatalf("second read %+v", b)
	}
}
