package loadgen

import (
	"bytes"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"
)

// batchCounter is the producer's compressor, wrapped to count the record
// batches the client writes and their bytes before and after compression.
// franz-go calls it once per batch, when it writes the batch into a produce
// request, on the goroutine that writes it. HookProduceBatchWritten reports
// the same figures, but franz-go starts a goroutine per produce response to
// call it: with the hook, scripts/bench-ceiling.sh measured ktune at 0.84
// of a bare franz-go producer with 1 KiB records at the Java defaults (16
// KiB batches, linger 0), with this counter at 0.97. A batch written again
// after a retriable error counts again.
type batchCounter struct {
	inner kgo.Compressor // nil: franz-go's "no compression"
	n     *batchCounts
}

// batchCounts are what batchCounter counts over every client of a run.
type batchCounts struct {
	batches, uncompressed, compressed atomic.Int64
}

// Compress implements kgo.Compressor; franz-go sends the result only when
// it is shorter than src.
func (c batchCounter) Compress(dst *bytes.Buffer, src []byte, flags ...kgo.CompressFlag) ([]byte, kgo.CompressionCodecType) {
	out, codec := src, kgo.CodecNone
	if c.inner != nil {
		out, codec = c.inner.Compress(dst, src, flags...)
	}
	sent := len(src)
	if out != nil && len(out) < sent {
		sent = len(out)
	}
	c.n.batches.Add(1)
	c.n.uncompressed.Add(int64(len(src)))
	c.n.compressed.Add(int64(sent))
	return out, codec
}
