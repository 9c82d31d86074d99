package control

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"golive/app/profile"
	"golive/app/secret"
)

// The remote-control password is kept like a stream key: in the OS
// keychain (service profile.KeyringService, entry PasswordKeyringUser)
// when there is one, else in PasswordFileName in the configuration
// directory, mode 0600.
const (
	PasswordKeyringUser = "remote-control-password"
	PasswordFileName    = "remote-control-password"
	passwordLen         = 24
	maxPasswordFile     = 4 << 10
)

const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// GeneratePassword returns a random password of 24 letters and digits
// (about 140 bits).
func GeneratePassword() (string, error) {
	var b strings.Builder
	n := big.NewInt(int64(len(passwordAlphabet)))
	for range passwordLen {
		i, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", fmt.Errorf("generate a password: %w", err)
		}
		b.WriteByte(passwordAlphabet[i.Int64()])
	}
	return b.String(), nil
}

// StoredPassword returns the saved remote-control password, generating
// and saving one the first time: in kr (the keychain; nil or NoKeyring
// when there is none), else in dir, the configuration directory. where
// says where it is kept, for the user.
func StoredPassword(dir string, kr profile.Keyring) (password, where string, err error) {
	if _, none := kr.(profile.NoKeyring); kr != nil && !none {
		pw, err := kr.Get(profile.KeyringService, PasswordKeyringUser)
		if err == nil && pw != "" {
			secret.Register(pw)
			return pw, "the OS keychain", nil
		}
		if err == nil || errors.Is(err, profile.ErrKeyNotFound) {
			if pw, err = GeneratePassword(); err != nil {
				return "", "", err
			}
			if err = kr.Set(profile.KeyringService, PasswordKeyringUser, pw); err == nil {
				secret.Register(pw)
				return pw, "the OS keychain", nil
			}
		}
		// A keychain that fails: fall back to the file, as stream keys do.
	}
	return filePassword(dir)
}

// passwordFile returns the configuration directory (dir, or the default
// one when dir is empty) and the password file's path in it.
func passwordFile(dir string) (string, string, error) {
	if dir == "" {
		d, err := profile.DefaultDir()
		if err != nil {
			return "", "", err
		}
		dir = d
	}
	return dir, filepath.Join(dir, PasswordFileName), nil
}

// filePassword returns the password saved in dir's password file,
// creating the file (0600) with a new password the first time.
func filePassword(dir string) (string, string, error) {
	dir, path, err := passwordFile(dir)
	if err != nil {
		return "", "", err
	}
	pw, err := ReadPasswordFile(path)
	if err == nil {
		return pw, path, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", "", err
	}
	if pw, err = GeneratePassword(); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", "", fmt.Errorf("save the remote-control password: %w", err)
	}
	_, werr := f.WriteString(pw + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", "", fmt.Errorf("save the remote-control password in %s: %w", path, werr)
	}
	secret.Register(pw)
	return pw, path, nil
}

// ReadPasswordFile reads a password from the first line of a file (the
// line end is not part of it). An empty first line is an error.
func ReadPasswordFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(io.LimitReader(f, maxPasswordFile))
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("password file %s: %w", path, err)
	}
	if err != nil && len(line) == maxPasswordFile {
		return "", fmt.Errorf("password file %s: the first line is longer than %d bytes", path, maxPasswordFile)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("password file %s: the first line is empty: put the password on it", path)
	}
	secret.Register(line)
	return line, nil
}

// ErrNoStoredPassword means that no remote-control password is stored yet
// (the server stores one when it first starts).
var ErrNoStoredPassword = errors.New("no remote-control password is stored")

// LoadPassword returns the stored remote-control password without ever
// creating one (what a client of this machine's server uses): from kr
// (the keychain; nil or NoKeyring when there is none), else from the file
// in dir, the configuration directory.
func LoadPassword(dir string, kr profile.Keyring) (password, where string, err error) {
	if _, none := kr.(profile.NoKeyring); kr != nil && !none {
		pw, err := kr.Get(profile.KeyringService, PasswordKeyringUser)
		if err == nil && pw != "" {
			secret.Register(pw)
			return pw, "the OS keychain", nil
		}
	}
	_, path, err := passwordFile(dir)
	if err != nil {
		return "", "", err
	}
	pw, err := ReadPasswordFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("%w in the OS keychain or %s", ErrNoStoredPassword, path)
	}
	return pw, path, err
}
