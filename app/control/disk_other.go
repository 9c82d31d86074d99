//go:build !unix

package control

// freeDiskMB is unknown (0) on this system.
func freeDiskMB(string) float64 { return 0 }
