package testkit

import "github.com/ktune/ktune/result"

// InHostPause reports whether w, one partition's unavailability window,
// lies within a window of the whole producer, give or take slackS seconds
// at either end: a pause of the load machine itself (a stalled host, a
// long garbage collection) holds every partition's acknowledgements at
// once. Tests that inject a broker fault use it to tell such pauses from
// the windows the fault, or a bug, opened.
func InHostPause(u *result.Unavailability, w result.UnavailableWindow, slackS float64) bool {
	for _, p := range u.Windows {
		if p.Partition == result.AllPartitions && w.StartS >= p.StartS-slackS &&
			w.StartS+w.LengthMs/1e3 <= p.StartS+p.LengthMs/1e3+slackS {
			return true
		}
	}
	return false
}
