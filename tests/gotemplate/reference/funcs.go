package main

// confd's template function map (kelseyhightower/confd resource/template/template_funcs.go at
// 919444eb, "update dependencies", Dec 2023), re-implemented for this fixture. Where confd
// maps a name straight to a standard library function, so does this file, so that
// text/template reports the same signatures and errors.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"reference/memkv"
)

func newFuncMap() map[string]interface{} {
	return map[string]interface{}{
		"base":           path.Base,
		"split":          strings.Split,
		"json":           unmarshalJSONObject,
		"jsonArray":      unmarshalJSONArray,
		"dir":            path.Dir,
		"map":            createMap,
		"getenv":         getenv,
		"join":           strings.Join,
		"datetime":       time.Now,
		"toUpper":        strings.ToUpper,
		"toLower":        strings.ToLower,
		"contains":       strings.Contains,
		"replace":        strings.Replace,
		"trimSuffix":     strings.TrimSuffix,
		"lookupIP":       lookupIP,
		"lookupIPV4":     lookupIPV4,
		"lookupIPV6":     lookupIPV6,
		"lookupSRV":      lookupSRV,
		"fileExists":     fileExists,
		"base64Encode":   base64Encode,
		"base64Decode":   base64Decode,
		"parseBool":      strconv.ParseBool,
		"reverse":        reverse,
		"sortByLength":   sortByLength,
		"sortKVByLength": sortKVByLength,
		"add":            func(a, b int) int { return a + b },
		"sub":            func(a, b int) int { return a - b },
		"div":            func(a, b int) int { return a / b },
		"mod":            func(a, b int) int { return a % b },
		"mul":            func(a, b int) int { return a * b },
		"seq":            seq,
		"atoi":           strconv.Atoi,
	}
}

// seq(first, last): first..last inclusive; nil (prints as []) when last < first.
func seq(first, last int) []int {
	var arr []int
	for i := first; i <= last; i++ {
		arr = append(arr, i)
	}
	return arr
}

type kvByKeyLength []memkv.KVPair

func (s kvByKeyLength) Len() int           { return len(s) }
func (s kvByKeyLength) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s kvByKeyLength) Less(i, j int) bool { return len(s[i].Key) < len(s[j].Key) }

// sortKVByLength sorts in place with sort.Sort (not stable), like confd.
func sortKVByLength(values []memkv.KVPair) []memkv.KVPair {
	sort.Sort(kvByKeyLength(values))
	return values
}

type byLength []string

func (s byLength) Len() int           { return len(s) }
func (s byLength) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s byLength) Less(i, j int) bool { return len(s[i]) < len(s[j]) }

// sortByLength sorts in place with sort.Sort (not stable), like confd.
func sortByLength(values []string) []string {
	sort.Sort(byLength(values))
	return values
}

// reverse reverses []string and []memkv.KVPair in place and returns its argument; any other type
// (including KVPairs, what gets returns) comes back unchanged.
func reverse(values interface{}) interface{} {
	switch v := values.(type) {
	case []string:
		for l, r := 0, len(v)-1; l < r; l, r = l+1, r-1 {
			v[l], v[r] = v[r], v[l]
		}
	case []memkv.KVPair:
		for l, r := 0, len(v)-1; l < r; l, r = l+1, r-1 {
			v[l], v[r] = v[r], v[l]
		}
	}
	return values
}

// getenv(key, default...): an empty or unset variable gives the default (or "").
func getenv(key string, v ...string) string {
	defaultValue := ""
	if len(v) > 0 {
		defaultValue = v[0]
	}
	value := os.Getenv(key)
	if value == "" {
		return defaultValue
	}
	return value
}

func createMap(values ...interface{}) (map[string]interface{}, error) {
	if len(values)%2 != 0 {
		return nil, errors.New("invalid map call")
	}
	dict := make(map[string]interface{}, len(values)/2)
	for i := 0; i < len(values); i += 2 {
		key, ok := values[i].(string)
		if !ok {
			return nil, errors.New("map keys must be strings")
		}
		dict[key] = values[i+1]
	}
	return dict, nil
}

func unmarshalJSONObject(data string) (map[string]interface{}, error) {
	var ret map[string]interface{}
	err := json.Unmarshal([]byte(data), &ret)
	return ret, err
}

func unmarshalJSONArray(data string) ([]interface{}, error) {
	var ret []interface{}
	err := json.Unmarshal([]byte(data), &ret)
	return ret, err
}

// lookupIP: the sorted string forms of the addresses, nil on any error.
func lookupIP(data string) []string {
	ips, err := net.LookupIP(data)
	if err != nil {
		return nil
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	sort.Strings(out)
	return out
}

func lookupIPV6(data string) []string {
	var addresses []string
	for _, ip := range lookupIP(data) {
		if strings.Contains(ip, ":") {
			addresses = append(addresses, ip)
		}
	}
	return addresses
}

func lookupIPV4(data string) []string {
	var addresses []string
	for _, ip := range lookupIP(data) {
		if strings.Contains(ip, ".") {
			addresses = append(addresses, ip)
		}
	}
	return addresses
}

type srvOrder []*net.SRV

func (s srvOrder) Len() int      { return len(s) }
func (s srvOrder) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s srvOrder) Less(i, j int) bool {
	a := fmt.Sprintf("%s%d%d%d", s[i].Target, s[i].Port, s[i].Priority, s[i].Weight)
	b := fmt.Sprintf("%s%d%d%d", s[j].Target, s[j].Port, s[j].Priority, s[j].Weight)
	return a < b
}

// lookupSRV is in confd's map (so the name parses); the project omits it and no case uses it.
func lookupSRV(service, proto, name string) []*net.SRV {
	_, addrs, err := net.LookupSRV(service, proto, name)
	if err != nil {
		return []*net.SRV{}
	}
	sort.Sort(srvOrder(addrs))
	return addrs
}

// fileExists: false only when os.Stat says the file does not exist (confd util.IsFileExist).
func fileExists(fpath string) bool {
	_, err := os.Stat(fpath)
	return !os.IsNotExist(err)
}

func base64Encode(data string) string {
	return base64.StdEncoding.EncodeToString([]byte(data))
}

func base64Decode(data string) (string, error) {
	s, err := base64.StdEncoding.DecodeString(data)
	return string(s), err
}
