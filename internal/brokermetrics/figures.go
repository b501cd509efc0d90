package brokermetrics

import (
	"math"
	"time"

	"github.com/ktune/ktune/result"
)

// Figures turns two or more consecutive samples of one broker into the
// figures of the span from the first to the last: counts are differences
// between the last and the first sample, levels are read from every
// sample after the first (the ones taken during the span). start is the
// run's start, the origin of StartS and EndS.
func Figures(start time.Time, samples []Sample) result.BrokerFigures {
	first, last := samples[0], samples[len(samples)-1]
	delta := func(f Figure) float64 {
		d := last.Values[f] - first.Values[f]
		if d < 0 { // the broker restarted: its counters began again
			d = last.Values[f]
		}
		return d
	}
	count := func(f Figure) int64 { return int64(math.Round(delta(f))) }
	f := result.BrokerFigures{
		StartS:              result.Round(first.At.Sub(start).Seconds()),
		EndS:                result.Round(last.At.Sub(start).Seconds()),
		Produce:             requestTimes(delta, ProduceRequests, ProduceTime),
		Fetch:               requestTimes(delta, FetchRequests, FetchTime),
		BytesIn:             count(BytesIn),
		BytesOut:            count(BytesOut),
		ReplicationBytesIn:  count(ReplicationIn),
		ReplicationBytesOut: count(ReplicationOut),
		IsrShrinks:          count(IsrShrinks),
		IsrExpands:          count(IsrExpands),
		LogFlushes:          count(LogFlushes),
		LogFlushMs:          result.Round(delta(LogFlushMs)),
		ProcessCPUS:         result.Round(delta(ProcessCPUS)),
		GCS:                 result.Round(delta(GCS)),
	}
	f.RequestHandlerIdle = handlerIdle(first, last, delta)
	during := samples[1:]
	f.NetworkProcessorIdleMin = math.Inf(1)
	for _, s := range during {
		idle := s.Values[NetworkIdle]
		f.NetworkProcessorIdle += idle
		f.NetworkProcessorIdleMin = min(f.NetworkProcessorIdleMin, idle)
		f.RequestQueueMean += s.Values[RequestQueue]
		f.RequestQueueMax = max(f.RequestQueueMax, s.Values[RequestQueue])
		f.UnderReplicatedMax = max(f.UnderReplicatedMax, int64(s.Values[UnderReplicated]))
	}
	n := float64(len(during))
	f.NetworkProcessorIdle = result.Round(f.NetworkProcessorIdle / n)
	f.NetworkProcessorIdleMin = result.Round(f.NetworkProcessorIdleMin)
	f.RequestQueueMean = result.Round(f.RequestQueueMean / n)
	return f
}

// requestTimes reads one request kind's count and part times.
func requestTimes(delta func(Figure) float64, requests Figure, part func(string) Figure) result.RequestTimes {
	ms := func(p string) float64 { return result.Round(delta(part(p))) }
	return result.RequestTimes{
		Requests:        int64(math.Round(delta(requests))),
		RequestQueueMs:  ms("RequestQueue"),
		LocalMs:         ms("Local"),
		RemoteMs:        ms("Remote"),
		ResponseQueueMs: ms("ResponseQueue"),
		ResponseSendMs:  ms("ResponseSend"),
		TotalMs:         ms("Total"),
	}
}

// pooledIdleLimit: an idle share from the aggregate meter above this
// (1 plus rounding and timing slack) says it adds up two pools.
const pooledIdleLimit = 1.05

// handlerIdle is the request handler threads' idle share over the span:
// from the broker pool's own meter (Kafka 4.x), else from the process's
// aggregate meter, which before Kafka 4.0 adds the broker's and the
// controller's pools in a combined (broker,controller) node, so its share
// can exceed 1 and says nothing of the broker pool: nil then.
func handlerIdle(first, last Sample, delta func(Figure) float64) *float64 {
	ns := float64(last.At.Sub(first.At).Nanoseconds())
	if ns <= 0 {
		return nil
	}
	fig := HandlerIdleNs
	if _, ok := first.Values[fig]; !ok {
		fig = AllHandlersIdleNs
	}
	_, ok1 := first.Values[fig]
	_, ok2 := last.Values[fig]
	if !ok1 || !ok2 {
		return nil
	}
	r := delta(fig) / ns
	if fig == AllHandlersIdleNs && r > pooledIdleLimit {
		return nil
	}
	r = result.Round(min(1, r))
	return &r
}
