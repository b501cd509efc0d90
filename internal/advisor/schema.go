package advisor

import "github.com/ktune/ktune/result"

// The advice document's schema lives in the public result package; these
// names keep the advisor's own code and its callers short.
type (
	Advice         = result.Advice
	Workload       = result.AdviceWorkload
	Hardware       = result.Hardware
	Assumed        = result.Assumed
	Sourced        = result.Sourced
	BrokerHardware = result.BrokerHardware
	Term           = result.Term
	Figure         = result.Figure
	Constraint     = result.Constraint
	Controllers    = result.Controllers
	Sizing         = result.Sizing
	ParetoPoint    = result.ParetoPoint
	ConfigAdvice   = result.ConfigAdvice
	Finding        = result.Finding
	Audit          = result.ClusterAudit
)

// Sizing modes.
const (
	ModeTextbook     = result.ModeTextbook
	ModeFailureAware = result.ModeFailureAware
)
