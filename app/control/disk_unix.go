//go:build unix

package control

import "syscall"

// freeDiskMB returns the space available to GoLive on the file system of
// dir, in MB (0 when unknown).
func freeDiskMB(dir string) float64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0
	}
	return float64(st.Bavail) * float64(st.Bsize) / (1 << 20)
}
