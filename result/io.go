package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Encode writes doc as indented JSON.
func Encode(w io.Writer, doc *Document) error { return Encode2(w, doc) }

// Encode2 writes any ktune document (result, probe, ...) as indented JSON.
func Encode2(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteFile writes doc to path atomically: to a temporary file in the same
// folder, synced, then renamed over path, so a reader never sees half a
// document and a full disk leaves the old file in place. It creates the
// folder when missing.
func WriteFile(path string, doc *Document) error { return WriteJSON(path, doc) }

// WriteJSON writes any ktune document as indented JSON, atomically.
func WriteJSON(path string, v any) error {
	var buf bytes.Buffer
	if err := Encode2(&buf, v); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return WriteAtomic(path, buf.Bytes())
}

// WriteAtomic writes data to path through a synced temporary file and a
// rename.
func WriteAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating result folder: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing result: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("writing result %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing result %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing result %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("writing result %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing result %s: %w", path, err)
	}
	return nil
}

// ErrVersion is returned (wrapped) for a document of an unknown major
// schema version.
var ErrVersion = errors.New("unsupported result schema version")

// readHead checks what every ktune document starts with (valid JSON, a
// schema_version this ktune reads, a kind) and returns its kind. It is the
// one check that Decode, the kind-specific decoders and Load share.
func readHead(data []byte) (Kind, error) {
	var head struct {
		SchemaVersion *int `json:"schema_version"`
		Kind          Kind `json:"kind"`
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "", errors.New("not a ktune document: the file is empty")
	}
	if err := unmarshal(data, &head); err != nil {
		return "", fmt.Errorf("not a ktune document: %w", err)
	}
	switch {
	case head.SchemaVersion == nil:
		return "", errors.New("not a ktune document: no schema_version")
	case *head.SchemaVersion != SchemaVersion:
		return "", fmt.Errorf("%w %d: this ktune reads version %d; use a ktune release that matches the file", ErrVersion, *head.SchemaVersion, SchemaVersion)
	case head.Kind == "":
		return "", errors.New("not a ktune document: no kind")
	}
	return head.Kind, nil
}

// unmarshal is json.Unmarshal with errors in the document's terms: the
// JSON field and the kind of value it needs, never a Go type or a bare
// end of input.
func unmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Errorf("invalid JSON: %s holds a %s where %s is expected", field, typ.Value, jsonKind(typ.Type))
	case errors.As(err, &syntax) && syntax.Error() == "unexpected end of JSON input", errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("invalid JSON: the file ends early (truncated?)")
	case errors.As(err, &syntax):
		return fmt.Errorf("invalid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	}
	return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names the JSON value a Go type is read from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}

// Decode reads one document. It rejects documents whose schema_version is
// not SchemaVersion, and documents without a kind.
func Decode(r io.Reader) (*Document, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if _, err := readHead(data); err != nil {
		return nil, err
	}
	var doc Document
	if err := unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading ktune result: %w", err)
	}
	return &doc, nil
}
