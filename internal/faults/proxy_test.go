package faults

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// mode is what the DynamoDB-aware proxy does to the calls it faults.
type mode int32

const (
	pass         mode = iota // forward everything
	throttle                 // answer ThrottlingException (HTTP 400), as DynamoDB does
	hang                     // never answer (until the caller gives up)
	reset                    // reset the connection without an answer
	loseOnce                 // forward the next faulted call, then reset instead of answering; then pass
	loseThenHang             // forward the next faulted call, then reset instead of answering; then hang
	pauseOnce                // pause DynamoDB Local (SIGSTOP) as the next faulted call arrives, forward it; then pass
)

// ddbProxy forwards DynamoDB calls to this package's DynamoDB Local and
// faults the ones its rule selects, at the HTTP level, so that the rest of
// a request (signing in with the caller's token) still works and the fault
// lands under the core the request reaches.
type ddbProxy struct {
	srv      *httptest.Server
	upstream string
	mode     atomic.Int32
	// faulted selects the calls to fault (op is the DynamoDB operation).
	faulted atomic.Pointer[func(op string, body []byte) bool]
	lost    atomic.Int32 // answers loseOnce and loseThenHang dropped
	paused  atomic.Int32 // pauses pauseOnce made
}

// exceptAuth faults every call but those that authenticate an API token
// (the token's GetItem and its last-used UpdateItem).
func exceptAuth(op string, body []byte) bool {
	return !((op == "GetItem" || op == "UpdateItem") && bytes.Contains(body, []byte(`"TOKEN#`)))
}

// containing faults the calls whose body contains s (a key prefix, a text).
func containing(s string) func(string, []byte) bool {
	return func(_ string, body []byte) bool { return bytes.Contains(body, []byte(s)) }
}

// only faults the named operations.
func only(ops ...string) func(string, []byte) bool {
	return func(op string, _ []byte) bool {
		for _, o := range ops {
			if o == op {
				return true
			}
		}
		return false
	}
}

func newDDBProxy(t testing.TB, faulted func(string, []byte) bool) *ddbProxy {
	t.Helper()
	p := &ddbProxy{upstream: dynamo(t).DynamoDBEndpoint}
	p.faultOnly(faulted)
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *ddbProxy) endpoint() string { return p.srv.URL }
func (p *ddbProxy) set(m mode)       { p.mode.Store(int32(m)) }

// faultOnly changes the calls the proxy faults.
func (p *ddbProxy) faultOnly(faulted func(string, []byte) bool) { p.faulted.Store(&faulted) }

func (p *ddbProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	m := mode(p.mode.Load())
	if m != pass && (*p.faulted.Load())(op, body) {
		switch m {
		case throttle:
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}`)
			return
		case hang:
			<-r.Context().Done()
			return
		case reset:
			resetConn(w)
			return
		case pauseOnce:
			if p.mode.CompareAndSwap(int32(pauseOnce), int32(pass)) {
				_ = own.cloud.Signal("dynamodb", syscall.SIGSTOP)
				p.paused.Add(1)
			}
		case loseOnce, loseThenHang:
			next := pass
			if m == loseThenHang {
				next = hang
			}
			if p.mode.CompareAndSwap(int32(m), int32(next)) {
				if resp, err := p.forward(r, body); err == nil {
					resp.Body.Close()
				}
				p.lost.Add(1)
				resetConn(w)
				return
			}
		}
	}
	resp, err := p.forward(r, body)
	if err != nil {
		resetConn(w)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func (p *ddbProxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	req, err := http.NewRequest(r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return http.DefaultClient.Do(req)
}

// resetConn closes the client's connection with a TCP reset.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	c, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}
