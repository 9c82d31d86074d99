//go:build !linux

package profile

import "context"

// lockAware is false where GoLive cannot ask the keychain whether it is
// locked: macOS and Windows unlock theirs with the user's session.
const lockAware = false

// waitUnlocked has nothing to wait for on this system.
func waitUnlocked(context.Context, func(string)) error { return nil }
