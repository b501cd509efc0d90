package result

// KindDrainSweep is the kind of a `ktune drain --vary` document.
const KindDrainSweep Kind = "drain-sweep"

// DrainSweep is a backlog drain run once per combination of consumer
// settings (consumer properties, consumers per group), one after another,
// each on its own fresh topic with the same backlog and producer rate.
type DrainSweep struct {
	Header
	// Setting is the first point's cluster, workload and host; its client
	// configuration holds the producer's only, since the consumer's
	// differs by point (each point's drain holds its own).
	Setting
	// Dimensions are the settings varied, in the order given; consumer
	// properties have the role "consumer", consumers per group the role
	// "workload" and the name "consumers".
	Dimensions []Dimension `json:"dimensions"`
	// BacklogBytes is the backlog each point builds (key plus value
	// bytes).
	BacklogBytes int64 `json:"backlog_bytes"`
	// Points are the measured points in the order they ran. A sweep cut
	// short holds the points that finished.
	Points []DrainPoint `json:"points"`
	Notes  []string     `json:"notes,omitempty"`
}

// DrainPoint is one point of a drain sweep: its settings and its drain.
type DrainPoint struct {
	// Params are the point's settings ("consumer:max.poll.records" ->
	// "2000", "workload:consumers" -> "3"); Label names them
	// (ParamsLabel).
	Params map[string]string `json:"params"`
	Label  string            `json:"label"`
	Drain  *Drain            `json:"drain"`
}

// Fastest returns the indexes of the points whose lag fell fastest and
// slowest (drain bytes/s), and false without a point. Ties go to the
// earlier point.
func (s *DrainSweep) Fastest() (fastest, slowest int, ok bool) {
	for i, p := range s.Points {
		if p.Drain == nil {
			continue
		}
		if !ok {
			fastest, slowest, ok = i, i, true
			continue
		}
		r := p.Drain.DrainBytesPerSec
		if r > s.Points[fastest].Drain.DrainBytesPerSec {
			fastest = i
		}
		if r < s.Points[slowest].Drain.DrainBytesPerSec {
			slowest = i
		}
	}
	return fastest, slowest, ok
}
