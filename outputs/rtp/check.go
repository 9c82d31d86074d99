package rtp

import (
	"fmt"
	"os"
	"path/filepath"
)

// Check tells, before going live, whether the target's SDP file can be
// written (dest.Checker): a player needs it, so a folder that does not
// exist or cannot be written is an error, not a hint.
func (t *Target) Check() error {
	dir := filepath.Dir(t.SDPFile())
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("sdp folder %s does not exist: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("sdp folder %s is not a folder", dir)
	}
	f, err := os.CreateTemp(dir, ".golive-check-*")
	if err != nil {
		return fmt.Errorf("sdp folder %s cannot be written: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
