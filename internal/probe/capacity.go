package probe

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ktune/ktune/result"
)

// CruiseControlCapacity returns a Cruise Control capacity.json for a broker
// like this host: DISK in MB from the log dirs' total size (one entry per
// log dir, JBOD style), CPU 100 (percent), NW_IN and NW_OUT in KB/s from the
// link speed, or nicMbps when given (virtual NICs report none).
func CruiseControlCapacity(p *result.Probe, nicMbps int) ([]byte, error) {
	if len(p.Disks) == 0 {
		return nil, errors.New("no log dir in the probe")
	}
	if nicMbps <= 0 {
		for _, ifc := range p.Network.Interfaces {
			if !ifc.Loopback && ifc.Up && ifc.SpeedMbps != nil && *ifc.SpeedMbps > nicMbps {
				nicMbps = *ifc.SpeedMbps
			}
		}
	}
	if nicMbps <= 0 {
		return nil, errors.New("no interface reports a link speed: pass --nic-speed MBPS (the instance's bandwidth)")
	}
	disk := map[string]string{}
	for _, d := range p.Disks {
		if d.TotalBytes == 0 {
			return nil, fmt.Errorf("the size of %s is unknown", d.LogDir)
		}
		disk[d.LogDir] = fmt.Sprintf("%d", d.TotalBytes/1e6)
	}
	kbps := fmt.Sprintf("%d", nicMbps*1000/8)
	doc := map[string]any{
		"brokerCapacities": []map[string]any{{
			"brokerId": "-1",
			"capacity": map[string]any{"DISK": disk, "CPU": "100", "NW_IN": kbps, "NW_OUT": kbps},
			"doc":      fmt.Sprintf("Default capacity for every broker, from ktune probe on %s: DISK in MB per log dir, CPU in percent, NW_IN/NW_OUT in KB/s from a %d Mb/s link.", p.Hostname, nicMbps),
		}},
	}
	return json.MarshalIndent(doc, "", "  ")
}
