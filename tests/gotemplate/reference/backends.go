package main

// backends(pattern): the project's function (not confd's). The values of gets(pattern) that
// are valid host:port backends, normalized, de-duplicated and sorted: the rule of
// lbcommon/backends.py (parse_backend / valid_backends), re-implemented here for the test keys.
//
//   - longer than 300 characters, or empty after stripping " \t\r\n\f\v": rejected;
//   - only [A-Za-z0-9.:[\]-] allowed;
//   - "[IPV6]:PORT" (no zone), IPv6 printed as Python's ipaddress .compressed;
//   - "A.B.C.D:PORT" when the host is only digits and dots (strict dotted quad);
//   - "NAME:PORT" RFC 1123 name, lower-cased, one trailing dot dropped, last label not numeric;
//   - PORT: ASCII digits, 1-65535, printed without leading zeros.

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"reference/memkv"
)

var (
	labelRE         = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	digitsRE        = regexp.MustCompile(`^[0-9]+$`)
	digitsAndDotsRE = regexp.MustCompile(`^[0-9.]+$`)
)

const allowedBackendChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]"

func backendsFunc(s *memkv.Store) func(string) ([]string, error) {
	return func(pattern string) ([]string, error) { return backends(s, pattern) }
}

func backends(s *memkv.Store, pattern string) ([]string, error) {
	pairs, err := s.GetAll(pattern)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := make([]string, 0)
	for _, kv := range pairs {
		if b, ok := parseBackend(kv.Value); ok && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	sort.Strings(out)
	return out, nil
}

func parseBackend(value string) (string, bool) {
	if utf8.RuneCountInString(value) > 300 {
		return "", false
	}
	text := strings.Trim(value, " \t\r\n\f\v")
	if text == "" {
		return "", false
	}
	for i := 0; i < len(text); i++ {
		if strings.IndexByte(allowedBackendChars, text[i]) < 0 {
			return "", false
		}
	}
	var host, port string
	if strings.HasPrefix(text, "[") {
		end := strings.IndexByte(text, ']')
		if end < 0 || end+1 >= len(text) || text[end+1] != ':' {
			return "", false
		}
		host, port = text[:end+1], text[end+2:]
	} else {
		if strings.Count(text, ":") != 1 || strings.ContainsAny(text, "[]") {
			return "", false
		}
		i := strings.IndexByte(text, ':')
		host, port = text[:i], text[i+1:]
		if host == "" {
			return "", false
		}
	}
	h, ok := normalizeHost(host)
	if !ok || !digitsRE.MatchString(port) {
		return "", false
	}
	p, err := strconv.Atoi(strings.TrimLeft(port, "0"))
	if err != nil || p < 1 || p > 65535 { // all zeros: Atoi("") fails, port 0 rejected
		return "", false
	}
	return fmt.Sprintf("%s:%d", h, p), true
}

func normalizeHost(host string) (string, bool) {
	if strings.HasPrefix(host, "[") {
		inner := host[1 : len(host)-1]
		addr, err := netip.ParseAddr(inner)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", false
		}
		return "[" + pythonCompressedIPv6(addr.As16()) + "]", true
	}
	if digitsAndDotsRE.MatchString(host) {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is4() {
			return "", false
		}
		return addr.String(), true
	}
	name := strings.TrimSuffix(host, ".")
	if name == "" || len(name) > 253 {
		return "", false
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if !labelRE.MatchString(l) {
			return "", false
		}
	}
	if digitsRE.MatchString(labels[len(labels)-1]) {
		return "", false
	}
	return strings.ToLower(name), true
}

// pythonCompressedIPv6 spells an address as Python's ipaddress.IPv6Address(...).compressed:
// lower-case hextets without leading zeros, the leftmost longest run (>= 2) of zero hextets
// as "::", and no dotted-quad tail (::ffff:1.2.3.4 is ::ffff:102:304).
func pythonCompressedIPv6(b [16]byte) string {
	hextets := make([]string, 8)
	for i := range hextets {
		hextets[i] = strconv.FormatUint(uint64(b[2*i])<<8|uint64(b[2*i+1]), 16)
	}
	bestStart, bestLen := -1, 0
	for i := 0; i < 8; {
		if hextets[i] != "0" {
			i++
			continue
		}
		j := i
		for j < 8 && hextets[j] == "0" {
			j++
		}
		if j-i > bestLen {
			bestStart, bestLen = i, j-i
		}
		i = j
	}
	if bestLen < 2 {
		return strings.Join(hextets, ":")
	}
	return strings.Join(hextets[:bestStart], ":") + "::" + strings.Join(hextets[bestStart+bestLen:], ":")
}
