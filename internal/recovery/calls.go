package recovery

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Calls prints every AWS call a tool makes, before making it. In a dry run
// it prints the calls that would change something instead of making them
// (reads still happen, so the plan shows what would really change).
type Calls struct {
	Out    io.Writer
	DryRun bool
}

// Read prints a call that changes nothing.
func (c Calls) Read(service, op, region string, in any) {
	c.print("  read ", service, op, region, in)
}

// Write prints a call that changes something and reports whether to make
// it (false in a dry run).
func (c Calls) Write(service, op, region string, in any) bool {
	if c.DryRun {
		c.print("  DRY RUN, would call ", service, op, region, in)
		return false
	}
	c.print("  call ", service, op, region, in)
	return true
}

// Note prints a line of explanation.
func (c Calls) Note(format string, args ...any) {
	if c.Out != nil {
		fmt.Fprintf(c.Out, format+"\n", args...)
	}
}

func (c Calls) print(prefix, service, op, region string, in any) {
	if c.Out == nil {
		return
	}
	where := ""
	if region != "" {
		where = " [" + region + "]"
	}
	fmt.Fprintf(c.Out, "%s%s:%s%s %s\n", prefix, service, op, where, compactJSON(in))
}

// compactJSON renders an SDK input without its empty fields, keys sorted.
func compactJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return string(raw)
	}
	x = prune(x)
	if x == nil {
		return "{}"
	}
	var b strings.Builder
	writeSorted(&b, x)
	return b.String()
}

func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if p := prune(e); p == nil {
				delete(x, k)
			} else {
				x[k] = p
			}
		}
		if len(x) == 0 {
			return nil
		}
		return x
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i := range x {
			x[i] = prune(x[i])
		}
		return x
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

func writeSorted(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",")
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteString(":")
			writeSorted(b, x[k])
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",")
			}
			writeSorted(b, e)
		}
		b.WriteString("]")
	default:
		eb, _ := json.Marshal(x)
		b.Write(eb)
	}
}
