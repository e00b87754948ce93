// go-baseline does, with Go's own text/template and encoding/json, the work that
// hooktest's benchmark (benches/go_engine.rs) does: for every event JSON text, decode it
// into tsuru's event type, then for every hook whose filter matches, render the body (a
// text/template parsed once per hook, or the default json.Marshal body). It is not run by CI:
//
//	cd benches/go-baseline && go run . [ROUNDS]
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"
)

type ObjectID [12]byte

func (id ObjectID) Hex() string    { return hex.EncodeToString(id[:]) }
func (id ObjectID) String() string { return fmt.Sprintf("ObjectID(%q)", id.Hex()) }
func (id ObjectID) MarshalJSON() ([]byte, error) {
	return json.Marshal(id.Hex())
}
func (id *ObjectID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != 12 {
		return fmt.Errorf("invalid ObjectID %q", s)
	}
	copy(id[:], raw)
	return nil
}

type TargetType string

type Target struct {
	Type  TargetType
	Value string
}

func (t Target) String() string { return fmt.Sprintf("%s(%s)", t.Type, t.Value) }

type ExtraTarget struct {
	Target Target
	Lock   bool
}

type kindType string

type Kind struct {
	Type kindType
	Name string
}

func (k Kind) String() string { return k.Name }

type ownerType string

type Owner struct {
	Type ownerType
	Name string
}

func (o Owner) String() string { return fmt.Sprintf("%s %s", o.Type, o.Name) }

type LogEntry struct {
	Date    time.Time
	Message string
}

type cancelInfo struct {
	Owner     string
	StartTime time.Time
	AckTime   time.Time
	Reason    string
	Asked     bool
	Canceled  bool
}

type PermissionContext struct {
	CtxType string
	Value   string
}

type AllowedPermission struct {
	Scheme   string
	Contexts []PermissionContext
}

type Instance struct {
	Name       string
	Port       string
	TLSPort    string
	Addresses  []string
	LastUpdate time.Time
}

type EventData struct {
	UniqueID       ObjectID
	Lock           *Target
	StartTime      time.Time
	EndTime        time.Time
	ExpireAt       time.Time
	Target         Target
	ExtraTargets   []ExtraTarget
	Kind           Kind
	Owner          Owner
	SourceIP       string
	LockUpdateTime time.Time
	Error          string
	Log            string
	StructuredLog  []LogEntry
	CancelInfo     cancelInfo
	Cancelable     bool
	Running        bool
	Allowed        AllowedPermission
	AllowedCancel  AllowedPermission
	Instance       Instance
}

type Event struct {
	EventData
}

type Filter struct {
	TargetTypes  []string `json:"target_types"`
	TargetValues []string `json:"target_values"`
	KindTypes    []string `json:"kind_types"`
	KindNames    []string `json:"kind_names"`
	ErrorOnly    bool     `json:"error_only"`
	SuccessOnly  bool     `json:"success_only"`
}

type Hook struct {
	Name   string `json:"name"`
	Filter Filter `json:"event_filter"`
	Method string `json:"method"`
	Body   string `json:"body"`
	tmpl   *template.Template
}

func ok(list, candidates []string) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		for _, c := range candidates {
			if x == c {
				return true
			}
		}
	}
	return false
}

func fires(f *Filter, evt *Event) bool {
	types := []string{string(evt.Target.Type)}
	values := []string{evt.Target.Value}
	for _, x := range evt.ExtraTargets {
		types = append(types, string(x.Target.Type))
		values = append(values, x.Target.Value)
	}
	kinds := []string{evt.Kind.Name}
	for i := range evt.Kind.Name {
		if evt.Kind.Name[i] == '.' {
			kinds = append(kinds, evt.Kind.Name[:i])
		}
	}
	if evt.Running {
		return false
	}
	if !ok(f.TargetTypes, types) || !ok(f.TargetValues, values) ||
		!ok(f.KindTypes, []string{string(evt.Kind.Type)}) || !ok(f.KindNames, kinds) {
		return false
	}
	if evt.Error == "" {
		return !f.ErrorOnly
	}
	return !f.SuccessOnly
}

func main() {
	rounds := 2000
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	raw, err := os.ReadFile("hooks.json")
	if err != nil {
		panic(err)
	}
	var hooks []*Hook
	if err := json.Unmarshal(raw, &hooks); err != nil {
		panic(err)
	}
	for _, h := range hooks {
		if h.Body != "" {
			h.tmpl = template.Must(template.New("hook").Parse(h.Body))
		}
	}
	files, _ := filepath.Glob("../../tests/corpus/go/events/*.json")
	var events [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		events = append(events, b)
	}
	var buf bytes.Buffer
	renders, bytesOut := 0, 0
	start := time.Now()
	for r := 0; r < rounds; r++ {
		for _, text := range events {
			var evt Event
			if err := json.Unmarshal(text, &evt.EventData); err != nil {
				panic(err)
			}
			for _, h := range hooks {
				if !fires(&h.Filter, &evt) {
					continue
				}
				buf.Reset()
				if h.tmpl != nil {
					if err := h.tmpl.Execute(&buf, &evt); err != nil {
						panic(err)
					}
				} else {
					m := strings.ToUpper(h.Method)
					if m == "" || m == "POST" || m == "PUT" || m == "PATCH" {
						out, _ := json.Marshal(&evt)
						buf.Write(out)
					}
				}
				renders++
				bytesOut += buf.Len()
			}
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("go text/template: %d events x %d hooks x %d rounds: %d renders, %d bytes in %v\n",
		len(events), len(hooks), rounds, renders, bytesOut, elapsed)
	fmt.Printf("go text/template: end to end: %.0f renders/s, %.0f events/s\n",
		float64(renders)/elapsed.Seconds(), float64(rounds*len(events))/elapsed.Seconds())

	decoded := make([]*Event, len(events))
	for i, text := range events {
		decoded[i] = &Event{}
		if err := json.Unmarshal(text, &decoded[i].EventData); err != nil {
			panic(err)
		}
	}
	renders = 0
	start = time.Now()
	for r := 0; r < rounds; r++ {
		for _, evt := range decoded {
			for _, h := range hooks {
				if !fires(&h.Filter, evt) {
					continue
				}
				buf.Reset()
				if h.tmpl != nil {
					if err := h.tmpl.Execute(&buf, evt); err != nil {
						panic(err)
					}
				} else {
					m := strings.ToUpper(h.Method)
					if m == "" || m == "POST" || m == "PUT" || m == "PATCH" {
						out, _ := json.Marshal(evt)
						buf.Write(out)
					}
				}
				renders++
			}
		}
	}
	elapsed = time.Since(start)
	fmt.Printf("go text/template: render only: %.0f renders/s\n", float64(renders)/elapsed.Seconds())
}
