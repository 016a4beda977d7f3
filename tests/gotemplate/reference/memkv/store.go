// Package memkv is an in-memory key/value store with the semantics of
// github.com/kelseyhightower/memkv v0.1.1 (the version confd vendors), re-implemented
// for this fixture. The types matter to templates and are kept as memkv has them: get
// returns a KVPair struct (printed {key value}; named memkv.KVPair in error messages),
// gets returns the named slice type KVPairs, which confd's reverse does not recognise
// (its type switch only knows []KVPair), so reverse leaves gets' result untouched.
package memkv

import (
	"errors"
	"path"
	"sort"
	"strings"
)

var errNotExist = errors.New("key does not exist")

// KeyError is memkv's error for a missing key: "key does not exist: /the/key".
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string { return e.Err.Error() + ": " + e.Key }

type KVPair struct {
	Key   string
	Value string
}

type KVPairs []KVPair

func (ks KVPairs) Len() int           { return len(ks) }
func (ks KVPairs) Less(i, j int) bool { return ks[i].Key < ks[j].Key }
func (ks KVPairs) Swap(i, j int)      { ks[i], ks[j] = ks[j], ks[i] }

type Store struct {
	FuncMap map[string]interface{}
	m       map[string]KVPair
}

// New makes an empty store; its FuncMap holds the template functions bound to it.
func New() *Store {
	s := &Store{m: make(map[string]KVPair)}
	s.FuncMap = map[string]interface{}{
		"exists": s.Exists,
		"ls":     s.List,
		"lsdir":  s.ListDir,
		"get":    s.Get,
		"gets":   s.GetAll,
		"getv":   s.GetValue,
		"getvs":  s.GetAllValues,
	}
	return s
}

func (s *Store) Set(key, value string) { s.m[key] = KVPair{key, value} }

func (s *Store) Exists(key string) bool {
	_, err := s.Get(key)
	return err == nil
}

func (s *Store) Get(key string) (KVPair, error) {
	kv, ok := s.m[key]
	if !ok {
		return kv, &KeyError{key, errNotExist}
	}
	return kv, nil
}

func (s *Store) GetValue(key string, v ...string) (string, error) {
	kv, err := s.Get(key)
	if err != nil {
		if len(v) > 0 {
			return v[0], nil
		}
		return "", err
	}
	return kv.Value, nil
}

// GetAll: every pair whose key matches the path.Match pattern, sorted by key. A malformed
// pattern is only noticed while matching a key, so with no keys at all it is no error.
func (s *Store) GetAll(pattern string) (KVPairs, error) {
	ks := make(KVPairs, 0)
	for _, kv := range s.m {
		matched, err := path.Match(pattern, kv.Key)
		if err != nil {
			return nil, err
		}
		if matched {
			ks = append(ks, kv)
		}
	}
	if len(ks) == 0 {
		return ks, nil
	}
	sort.Sort(ks)
	return ks, nil
}

// GetAllValues: the values of GetAll, sorted as strings.
func (s *Store) GetAllValues(pattern string) ([]string, error) {
	vs := make([]string, 0)
	ks, err := s.GetAll(pattern)
	if err != nil {
		return vs, err
	}
	for _, kv := range ks {
		vs = append(vs, kv.Value)
	}
	sort.Strings(vs)
	return vs, nil
}

// List: the names directly below filePath (a key equal to filePath lists its own base).
func (s *Store) List(filePath string) []string {
	names := make(map[string]bool)
	prefix := pathToTerms(filePath)
	for _, kv := range s.m {
		if kv.Key == filePath {
			names[path.Base(kv.Key)] = true
			continue
		}
		if samePrefixTerms(prefix, pathToTerms(path.Dir(kv.Key))) {
			names[strings.Split(stripKey(kv.Key, filePath), "/")[0]] = true
		}
	}
	return sortedNames(names)
}

// ListDir: the names directly below filePath that have keys below them.
func (s *Store) ListDir(filePath string) []string {
	names := make(map[string]bool)
	prefix := pathToTerms(filePath)
	for _, kv := range s.m {
		if !strings.HasPrefix(kv.Key, filePath) {
			continue
		}
		items := pathToTerms(path.Dir(kv.Key))
		if samePrefixTerms(prefix, items) && len(items)-len(prefix) >= 1 {
			names[items[len(prefix)]] = true
		}
	}
	return sortedNames(names)
}

func sortedNames(names map[string]bool) []string {
	vs := make([]string, 0, len(names))
	for k := range names {
		vs = append(vs, k)
	}
	sort.Strings(vs)
	return vs
}

func stripKey(key, prefix string) string {
	return strings.TrimPrefix(strings.TrimPrefix(key, prefix), "/")
}

func pathToTerms(filePath string) []string {
	return strings.Split(path.Clean(filePath), "/")
}

func samePrefixTerms(prefix, test []string) bool {
	if len(test) < len(prefix) {
		return false
	}
	for i := range prefix {
		if prefix[i] != test[i] {
			return false
		}
	}
	return true
}
