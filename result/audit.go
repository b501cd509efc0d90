package result

// Audit is the delivery audit of a run with --verify: every record carried
// its producer's id and a per-producer sequence number (the ktune.seq
// header), the producers reported what the brokers acknowledged, and the
// consumers checked what they read, partition by partition.
type Audit struct {
	// Acknowledged counts records the brokers acknowledged (0 when the
	// reader saw no producer, as in a plain consume --verify).
	Acknowledged int64 `json:"acknowledged"`
	// Read counts distinct offsets read that carried the header.
	Read int64 `json:"read"`
	// Lost counts records acknowledged but never read. Without
	// acknowledgements (consume --verify) it counts gaps in each
	// producer's sequence instead, which include records that failed.
	Lost int64 `json:"lost"`
	// Duplicated counts records written more than once: the same producer
	// and sequence number at another offset (a retry whose first attempt
	// was written, without idempotence).
	Duplicated int64 `json:"duplicated"`
	// Reordered counts records that sit after a later record of the same
	// producer in the same partition.
	Reordered int64 `json:"reordered"`
	// Redelivered counts offsets delivered to consumers more than once
	// (after a rebalance, before the previous owner committed): not
	// duplicates in the log.
	Redelivered int64 `json:"redelivered"`
	// Basis says what Lost was checked against: "acknowledged" or
	// "sequence".
	Basis string `json:"basis"`
	// The first few records of each defect, in offset order.
	LostAt       []RecordRef `json:"lost_at,omitempty"`
	DuplicatedAt []RecordRef `json:"duplicated_at,omitempty"`
	ReorderedAt  []RecordRef `json:"reordered_at,omitempty"`
}

// RecordRef names one record of an audit.
type RecordRef struct {
	Partition int32 `json:"partition"`
	// Offset is where the record was read (for a lost record: where the
	// broker acknowledged it, -1 when unknown).
	Offset   int64  `json:"offset"`
	Producer uint64 `json:"producer"`
	Seq      uint64 `json:"seq"`
	// FirstOffset is, for a duplicate, the offset of its first copy.
	FirstOffset *int64 `json:"first_offset,omitempty"`
}

// Clean reports whether the audit found no loss, duplicate or reordering.
func (a *Audit) Clean() bool {
	return a.Lost == 0 && a.Duplicated == 0 && a.Reordered == 0
}
