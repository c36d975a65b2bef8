// Command api is Quorum's HTTP API function. Inside Lambda (when
// AWS_LAMBDA_RUNTIME_API is set) it serves API Gateway HTTP API v2 events
// through the api-proxy adapter; outside Lambda it serves the same
// http.Handler on QUORUM_LISTEN_ADDR. With -invoke FILE it runs the handler
// once on a sample event and prints the response (make invoke).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/logging"
)

func main() {
	invoke := flag.String("invoke", "", "run the handler once on this API Gateway v2 event file and print the response")
	flag.Parse()
	if err := run(*invoke); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}

func run(invoke string) error {
	ctx := context.Background()
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := logging.New(os.Stderr, cfg.LogLevel)
	h, err := newHandler(ctx, cfg, log)
	if err != nil {
		return err
	}
	switch {
	case invoke != "":
		return invokeOnce(ctx, h, invoke, os.Stdout)
	case os.Getenv("AWS_LAMBDA_RUNTIME_API") != "":
		lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
		return nil
	default:
		return serve(cfg.ListenAddr, h, log)
	}
}

func serve(addr string, h http.Handler, log interface {
	Info(string, ...any)
}) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (choose another address with QUORUM_LISTEN_ADDR or PORT=)", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
