package plan

// Entitlement is what a subscription allows a tenant to hold.
type Entitlement struct {
	MaxNetworks int `json:"max_networks"`
	MaxDaemons  int `json:"max_daemons"`
}

// Trial is the trial's entitlement: one network, one daemon.
var Trial = Entitlement{MaxNetworks: 1, MaxDaemons: 1}
