package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileName is the profiles file inside the config directory.
const FileName = "profiles.json"

// fileDoc is the profiles file.
type fileDoc struct {
	Schema   int    `json:"schema"`
	Selected string `json:"selected,omitempty"`
	// KeysInFileWarned records that the user was told, once, that stream
	// keys are stored in this file because no keychain was available.
	KeysInFileWarned bool                       `json:"keys_in_file_warned,omitempty"`
	Profiles         []Profile                  `json:"profiles"`
	Extra            map[string]json.RawMessage `json:"-"`
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (d fileDoc) MarshalJSON() ([]byte, error) {
	type plain fileDoc
	return encodeWithExtra(plain(d), d.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (d *fileDoc) UnmarshalJSON(b []byte) error {
	type plain fileDoc
	var x plain
	extra, err := decodeKnown(b, &x)
	*d = fileDoc(x)
	d.Extra = extra
	return err
}

func (d fileDoc) clone() fileDoc {
	c := d
	c.Profiles = make([]Profile, len(d.Profiles))
	for i, p := range d.Profiles {
		c.Profiles[i] = p.Clone()
	}
	return c
}

func defaultDoc() fileDoc {
	return fileDoc{Schema: CurrentSchema, Selected: DefaultProfileName, Profiles: []Profile{DefaultProfile()}}
}

// parseDoc decodes a profiles file of any schema version, migrating it to
// the current one. It returns the version found in the file.
func parseDoc(data []byte) (fileDoc, int, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return fileDoc{}, 0, errors.New("the file is empty")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fileDoc{}, 0, fmt.Errorf("not valid JSON: %s", jsonReason(err))
	}
	if raw == nil {
		return fileDoc{}, 0, errors.New("the file holds null instead of an object")
	}
	from, err := schemaOf(raw)
	if err != nil {
		return fileDoc{}, 0, err
	}
	if err := migrate(raw, from); err != nil {
		return fileDoc{}, from, err
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return fileDoc{}, from, err
	}
	var doc fileDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return fileDoc{}, from, fmt.Errorf("unexpected content: %s", jsonReason(err))
	}
	return doc, from, nil
}

// jsonReason describes a decoding error without quoting file content
// (which may contain a key).
func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end"):
		return "the file ends too early (truncated)"
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the top level"
		}
		return fmt.Sprintf("%s should be %s, not JSON %s (byte %d)", field, te.Type, te.Value, te.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends too early (truncated)"
	}
	msg := err.Error()
	if strings.Contains(msg, "unexpected end of JSON input") {
		return "the file ends too early (truncated)"
	}
	return "malformed content"
}

// encodeDoc renders the file content.
func encodeDoc(d fileDoc) ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// writeAtomic replaces path with data: a temporary file in the same
// directory (mode 0600) is written and synced, the current file is kept
// as backup (when backup is not ""), then the temporary file is renamed
// over path and the directory synced. A crash at any point leaves either
// the old or the new content at path, never a mix. beforeRename, when not
// nil, runs just before the rename (tests use it to simulate a crash).
func writeAtomic(path string, data []byte, backup string, beforeRename func() error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil && !isUnsupported(err) {
		_ = f.Close()
		return fmt.Errorf("set mode 0600: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if backup != "" {
		if err := keepBackup(path, backup); err != nil {
			return err
		}
	}
	if beforeRename != nil {
		if err := beforeRename(); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

func isUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported)
}

// keepBackup makes backup a copy of the current path (a hard link when
// the file system allows it: the rename that follows gives path a new
// inode, so the link keeps the old content).
func keepBackup(path, backup string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	_ = os.Remove(backup)
	if err := os.Link(path, backup); err == nil {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s for backup: %w", path, err)
	}
	if err := writeAtomic(backup, data, "", nil); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	return nil
}

func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync() // not supported everywhere (Windows); best effort
	_ = d.Close()
}

// renameAside is os.Rename; tests replace it to simulate a failure.
var renameAside = os.Rename

// moveAside renames a file that cannot be used to NAME.SUFFIX-TIMESTAMP
// (never overwriting anything) and returns the new path.
func moveAside(path, suffix string, now time.Time) (string, error) {
	base := path + "." + suffix + "-" + now.Format("20060102-150405")
	target := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			break
		}
		target = fmt.Sprintf("%s-%d", base, i)
	}
	if err := renameAside(path, target); err != nil {
		return "", err
	}
	return target, nil
}

// removeStaleTemps deletes temporary files left by an interrupted write.
// The caller holds the lock, so no other writer is using them.
func removeStaleTemps(dir string) int {
	matches, _ := filepath.Glob(filepath.Join(dir, FileName+".tmp-*"))
	n := 0
	for _, m := range matches {
		if os.Remove(m) == nil {
			n++
		}
	}
	return n
}

// sameContent reports whether the file at path still holds data.
func sameContent(path string, data []byte) bool {
	cur, err := os.ReadFile(path)
	return err == nil && bytes.Equal(cur, data)
}
