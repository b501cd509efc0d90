package clientcfg

import "slices"

// Layers are the sources of a command's client properties besides a
// profile. Every command applies them in one order, later ones winning:
//
//	Java client defaults <- profile <- --command-config <- connection flags (--tls, --sasl-*) <- -X <- sweep dimension
//
// Resolve fills in the defaults; a sweep adds its dimension's value at
// each point, after everything here.
type Layers struct {
	// CommandConfig holds the --command-config file's properties.
	CommandConfig []Property
	// Connection holds the connection flags' properties (ConnectionProps).
	Connection []Property
	// X holds the -X properties.
	X []Property
}

// Over returns profile's properties with the layers applied over them, in
// the order Resolve applies them (profile may be nil).
func (l Layers) Over(profile []Property) []Property {
	return slices.Concat(profile, l.CommandConfig, l.Connection, l.X)
}
