package result

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Kinds of the documents that hold several runs.
const (
	KindSweep      Kind = "sweep"
	KindMaxRate    Kind = "maxrate"
	KindComparison Kind = "comparison"
)

// Sweep is one sweep: every point a full result in the run schema.
type Sweep struct {
	Header
	Cluster    Cluster     `json:"cluster"`
	Mode       string      `json:"mode"` // grid or one-at-a-time
	Dimensions []Dimension `json:"dimensions"`
	Repeat     int         `json:"repeat"`
	// RecordsPerPoint and Rate describe each point's measured window
	// (Rate 0: max-throughput mode).
	RecordsPerPoint int64   `json:"records_per_point"`
	Rate            float64 `json:"rate"`
	// EstimatedS was the estimate before the start; Trimmed counts points
	// dropped to fit --budget.
	EstimatedS float64      `json:"estimated_s"`
	Trimmed    int          `json:"trimmed,omitempty"`
	OverheadS  float64      `json:"overhead_s"`
	Points     []SweepPoint `json:"points"`
}

// Dimension is one swept setting. Role is producer, consumer or workload
// (partitions, record.size).
type Dimension struct {
	Role   string   `json:"role"`
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// SweepPoint is one measured point of a sweep.
type SweepPoint struct {
	// Key identifies the point and repetition, for --resume.
	Key    string            `json:"key"`
	Params map[string]string `json:"params"`
	Repeat int               `json:"repeat"`
	// Produce and Consume are the point's results (Consume only when the
	// sweep has consumer dimensions).
	Produce *Document `json:"produce,omitempty"`
	Consume *Document `json:"consume,omitempty"`
	// WallS is the point's whole time; OverheadS the part outside the
	// measured windows (topic creation, warm-up, joins).
	WallS     float64 `json:"wall_s"`
	OverheadS float64 `json:"overhead_s"`
}

// Label names the point by its settings: "name=value" pairs in name
// order, roles left out; "(base)" for the point with none.
func (p SweepPoint) Label() string { return ParamsLabel(p.Params) }

// ParamsLabel is SweepPoint.Label for a bare parameter map
// ("producer:linger.ms" -> "5").
func ParamsLabel(params map[string]string) string {
	if len(params) == 0 {
		return "(base)"
	}
	kv := make([]string, 0, len(params))
	for k, v := range params {
		_, name, _ := strings.Cut(k, ":")
		kv = append(kv, name+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, " ")
}

// MaxRate is the result of a search for the highest sustainable rate.
type MaxRate struct {
	Header
	Cluster  Cluster      `json:"cluster"`
	Workload Workload     `json:"workload"`
	Config   ClientConfig `json:"client_config"`
	// SLO: the latency kind (intended or e2e) whose p99 must stay within
	// P99Ms, and the share of the target rate that must be achieved.
	LatencyKind string  `json:"latency_kind"`
	P99Ms       float64 `json:"slo_p99_ms"`
	MinAchieved float64 `json:"min_achieved_fraction"`
	// RecordsPerSec is the answer: the highest rate that met the SLO in
	// the search and in two confirming windows (0 when none did).
	RecordsPerSec float64       `json:"records_per_sec"`
	MiBPerSec     float64       `json:"mib_per_sec"`
	Steps         []MaxRateStep `json:"steps"`
}

// MaxRateStep is one window of the search.
type MaxRateStep struct {
	Phase    string  `json:"phase"` // discover, search or confirm
	Target   float64 `json:"target_records_per_sec"`
	Achieved float64 `json:"achieved_records_per_sec"`
	P99Ms    float64 `json:"p99_ms"`
	Pass     bool    `json:"pass"`
	Errors   int64   `json:"errors"`
}

// Comparison compares profiles or saved results.
type Comparison struct {
	Header
	Repeat  int               `json:"repeat"`
	Entries []ComparisonEntry `json:"entries"`
}

// ComparisonEntry is one compared configuration; the first is the
// baseline.
type ComparisonEntry struct {
	Name    string                 `json:"name"`
	Source  string                 `json:"source"` // profile or file
	Metrics map[string]SampleStats `json:"metrics"`
	Runs    []*Document            `json:"runs"`
}

// SampleStats summarises one metric over repeated runs: the mean with its
// 95% confidence interval, and, against the baseline, the relative
// difference and Welch's t-test p-value.
type SampleStats struct {
	N           int       `json:"n"`
	Samples     []float64 `json:"samples"`
	Mean        float64   `json:"mean"`
	CI95        float64   `json:"ci95_half_width"`
	RelDiff     *float64  `json:"rel_diff,omitempty"`
	PValue      *float64  `json:"p_value,omitempty"`
	Significant *bool     `json:"significant,omitempty"`
}

// DecodeSweep reads a sweep document.
func DecodeSweep(r io.Reader) (*Sweep, error) {
	var s Sweep
	if err := decodeKind(r, KindSweep, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// DecodeMaxRate reads a max-rate document.
func DecodeMaxRate(r io.Reader) (*MaxRate, error) {
	var m MaxRate
	if err := decodeKind(r, KindMaxRate, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// DecodeComparison reads a comparison document.
func DecodeComparison(r io.Reader) (*Comparison, error) {
	var c Comparison
	if err := decodeKind(r, KindComparison, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func decodeKind(r io.Reader, kind Kind, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	got, err := readHead(data)
	if err != nil {
		return err
	}
	if got != kind {
		return fmt.Errorf("not a ktune %s document: kind %q", kind, got)
	}
	return unmarshal(data, v)
}
