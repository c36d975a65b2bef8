// Command localdev runs Quorum on the local cloud. It is what the Makefile
// calls:
//
//	localdev dev                 make dev: stand-ins + table/buckets + seed + the api function; Ctrl-C stops all
//	localdev exec -- CMD ARGS    make test: an ephemeral cloud whose endpoints CMD gets as QUORUM_TEST_* variables
//	localdev invoke FN EVENT     make invoke: run functions/FN on events/EVENT against the local cloud
//	localdev mail-in EML [TO]    make mail-in: deliver a raw email to the inbound mail service
//	localdev token EMAIL         make token: print an API token for a local user
//
// Ports come from PORT (api, default 8080), DYNAMODB_PORT (8000), S3_PORT
// (7070) and SES_PORT (8005).
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/seed"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Prefix names the local table and buckets.
const Prefix = "quorum-dev"

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "dev":
		err = dev()
	case "exec":
		args := os.Args[2:]
		if len(args) > 0 && args[0] == "--" {
			args = args[1:]
		}
		if len(args) == 0 {
			usage()
		}
		err = execWithCloud(args)
	case "invoke":
		if len(os.Args) != 4 {
			usage()
		}
		err = invoke(os.Args[2], os.Args[3])
	case "mail-in":
		if len(os.Args) < 3 || len(os.Args) > 4 {
			usage()
		}
		err = mailIn(os.Args[2], strings.Join(os.Args[3:], ""))
	case "token":
		if len(os.Args) != 3 {
			usage()
		}
		err = token(os.Args[2])
	case "reindex":
		if len(os.Args) > 4 {
			usage()
		}
		err = reindex(strings.Join(os.Args[2:3], ""), strings.Join(os.Args[3:], "") == "restart")
	default:
		usage()
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "localdev:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: localdev dev | exec -- CMD [ARGS] | invoke FUNCTION EVENT_FILE | mail-in EML [TO] | token EMAIL | reindex [GROUP [restart]]")
	os.Exit(2)
}

func portFromEnv(name string, def int) (int, error) {
	s := os.Getenv(name)
	if s == "" {
		return def, nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("%s=%q is not a TCP port", name, s)
	}
	return p, nil
}

type layout struct {
	root, data string
	ports      localcloud.Ports
	apiPort    int
}

func setup() (layout, error) {
	wd, _ := os.Getwd()
	root, err := localcloud.FindRoot(wd)
	if err != nil {
		return layout{}, err
	}
	l := layout{root: root, data: filepath.Join(root, ".data")}
	for _, p := range []struct {
		name string
		def  int
		dst  *int
	}{{"PORT", 8080, &l.apiPort}, {"DYNAMODB_PORT", 8000, &l.ports.DynamoDB}, {"S3_PORT", 7070, &l.ports.S3}, {"SES_PORT", 8005, &l.ports.SES}} {
		if *p.dst, err = portFromEnv(p.name, p.def); err != nil {
			return l, err
		}
	}
	if err := localcloud.EnsureTools(root, os.Stderr); err != nil {
		return l, err
	}
	return l, os.MkdirAll(filepath.Join(l.data, "logs"), 0o755)
}

// signingKey returns the local root secret, created once and kept in .data.
func signingKey(data string) ([]byte, error) {
	path := filepath.Join(data, "signing.key")
	if b, err := os.ReadFile(path); err == nil {
		return base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)), 0o600)
}

// devOrigins are the origins a browser may use for the dev server: the
// configured one (localhost) and the same port on 127.0.0.1.
func devOrigins(apiPort int) []string {
	p := strconv.Itoa(apiPort)
	return []string{"http://localhost:" + p, "http://127.0.0.1:" + p}
}

func localConfig(c *localcloud.Cloud, key []byte, apiPort int) config.Config {
	base, _ := url.Parse("http://localhost:" + strconv.Itoa(apiPort))
	return config.Config{
		Env:              "local",
		Region:           localcloud.Region,
		Table:            tabledef.MainTable(Prefix).Name,
		UploadsBucket:    tabledef.BucketName(Prefix, "", tabledef.UploadsBucket),
		InboundBucket:    tabledef.BucketName(Prefix, "", tabledef.InboundBucket),
		KMSKeyID:         "local-dev-key",
		BaseURL:          base,
		MailDomain:       "quorum.localhost",
		MailFrom:         "Quorum <notifications@quorum.localhost>",
		DynamoDBEndpoint: c.DynamoDBEndpoint,
		S3Endpoint:       c.S3Endpoint,
		SESEndpoint:      c.SESEndpoint,
		SigningKey:       key,
		ListenAddr:       "127.0.0.1:" + strconv.Itoa(apiPort),
		LogLevel:         "info",
		RequestTimeout:   25 * time.Second,
	}
}

// state is written while `make dev` runs so `make invoke` can reuse it.
type state struct {
	PID              int    `json:"pid"`
	DynamoDBEndpoint string `json:"dynamodb"`
	S3Endpoint       string `json:"s3"`
	SESEndpoint      string `json:"ses"`
	APIPort          int    `json:"api_port"`
}

func dev() error {
	l, err := setup()
	if err != nil {
		return err
	}
	if err := localcloud.PortAvailable(l.apiPort); err != nil {
		return fmt.Errorf("port %d for the api is already in use; choose another with PORT=<port> (make dev PORT=9090)", l.apiPort)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logFile, err := os.OpenFile(filepath.Join(l.data, "logs", "cloud.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	fmt.Println("Starting the local cloud (DynamoDB Local, versitygw, SES emulator); logs in .data/logs/cloud.log ...")
	// A stand-in that dies is started again with its data; the api keeps
	// running and reconnects (its calls answer 503 meanwhile).
	cloud, err := localcloud.Start(ctx, localcloud.Options{Root: l.root, DataDir: l.data, Ports: l.ports, Log: logFile, Restart: true})
	if err != nil {
		return err
	}
	defer cloud.Stop()

	key, err := signingKey(l.data)
	if err != nil {
		return err
	}
	cfg := localConfig(cloud, key, l.apiPort)
	if cfg.FactsJSON, err = localFacts(l.root, cfg); err != nil {
		return err
	}
	// The operator's terms and privacy policy, as a deployment's LEGAL_DIR (docs/deploy.md).
	cfg.LegalDir = os.Getenv("QUORUM_LEGAL_DIR")
	clients, err := awsclient.New(ctx, cfg)
	if err != nil {
		return err
	}
	// Pages of the dev server PUT attachments straight to versitygw.
	if err := localcloud.Provision(ctx, clients.DynamoDB, localcloud.SDKS3(clients.AWS, cfg), Prefix, devOrigins(l.apiPort)...); err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	wired, err := app.NewAPI(ctx, cfg, quiet)
	if err != nil {
		return err
	}
	st := wired.Store
	seeded, err := seed.Run(ctx, st, demoSteps(wired)...)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	if seeded {
		fmt.Println("Seeded the demo dataset (first start).")
	} else if at, err := seed.Created(ctx, st); err == nil {
		fmt.Printf("Keeping your data (demo dataset seeded %s).\n", at.Format(time.RFC1123))
	}

	bin := filepath.Join(l.root, ".bin", "api")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./functions/api")
	build.Dir, build.Stdout, build.Stderr = l.root, os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build functions/api: %w", err)
	}
	api := exec.Command(bin)
	api.Env = append(os.Environ(), cfg.Environ()...)
	api.Stdout, api.Stderr = os.Stdout, os.Stderr
	api.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := api.Start(); err != nil {
		return err
	}
	apiDone := make(chan error, 1)
	go func() { apiDone <- api.Wait() }()
	defer func() {
		_ = syscall.Kill(-api.Process.Pid, syscall.SIGTERM)
		select {
		case <-apiDone:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-api.Process.Pid, syscall.SIGKILL)
		}
	}()

	st8 := state{PID: os.Getpid(), DynamoDBEndpoint: cloud.DynamoDBEndpoint, S3Endpoint: cloud.S3Endpoint, SESEndpoint: cloud.SESEndpoint, APIPort: l.apiPort}
	if b, err := json.Marshal(st8); err == nil {
		_ = os.WriteFile(filepath.Join(l.data, "dev.json"), b, 0o644)
		defer os.Remove(filepath.Join(l.data, "dev.json"))
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for !localcloud.Answering(waitCtx, cfg.BaseURL.String()+"/healthz") {
		select {
		case err := <-apiDone:
			return fmt.Errorf("the api exited during start-up: %v", err)
		case <-waitCtx.Done():
			return errors.New("the api did not answer within 30 s")
		case <-time.After(100 * time.Millisecond):
		}
	}
	fmt.Printf(`
  Quorum is running:   %s
  Health:              %s/healthz
  Outbound mail (SES): %s   (JSON: %s/store)
  DynamoDB Local:      %s
  S3 (versitygw):      %s
  Data:                %s   (delete it to start over)
  Scheduler:           every minute (closes due polls, reminders)
  Press Ctrl-C to stop everything.

`, cfg.BaseURL, cfg.BaseURL, cloud.SESEndpoint, cloud.SESEndpoint, cloud.DynamoDBEndpoint, cloud.S3Endpoint, l.data)

	go runMailer(ctx, wired)        // notification email, as functions/mailer sends it in the cloud
	go runStream(ctx, wired, quiet) // the table's stream: instant email and the search index
	// The scheduler's work, as EventBridge Scheduler runs it in the cloud.
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if r, err := wired.Tick(ctx, now); err != nil {
					fmt.Fprintf(os.Stderr, "scheduler tick failed: %v\n", err)
				} else if r.Polls.Closed+r.Polls.ClosingSoon+r.Polls.Reviews+r.Purged > 0 {
					fmt.Printf("scheduler: closed %d polls, %d reminders, %d reviews, purged %d threads\n",
						r.Polls.Closed, r.Polls.ClosingSoon, r.Polls.Reviews, r.Purged)
				}
			}
		}
	}()

	for {
		select {
		case <-ctx.Done():
			fmt.Println("\nStopping ...")
			return nil
		case err := <-apiDone:
			return fmt.Errorf("the api exited: %v", err)
		case ev := <-cloud.Events():
			fmt.Fprintf(os.Stderr, "local cloud: %s (see .data/logs/cloud.log)\n", ev)
		}
	}
}

// execWithCloud runs args with an ephemeral cloud (in-memory DynamoDB,
// temporary S3 directory) exported as QUORUM_TEST_* variables.
func execWithCloud(args []string) error {
	l, err := setup()
	if err != nil {
		return err
	}
	ctx := context.Background()
	logw := io.Discard
	if os.Getenv("QUORUM_TEST_CLOUD_LOG") != "" {
		logw = os.Stderr
	}
	cloud, err := localcloud.Start(ctx, localcloud.Options{Root: l.root, Log: logw})
	if err != nil {
		return err
	}
	defer cloud.Stop()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(),
		"QUORUM_TEST_DYNAMODB_ENDPOINT="+cloud.DynamoDBEndpoint,
		"QUORUM_TEST_S3_ENDPOINT="+cloud.S3Endpoint,
		"QUORUM_TEST_SES_ENDPOINT="+cloud.SESEndpoint)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		if s, ok := <-sig; ok && cmd.Process != nil {
			_ = cmd.Process.Signal(s)
		}
	}()
	return cmd.Wait()
}

// invoke runs functions/FN -invoke EVENT against the persistent local cloud:
// the one `make dev` runs, or one started (and stopped) just for this call.
func invoke(fn, event string) error {
	l, err := setup()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(l.root, "functions", fn)); err != nil {
		return fmt.Errorf("no function %q in functions/", fn)
	}
	eventPath, err := filepath.Abs(event)
	if err != nil {
		return err
	}
	if _, err := os.Stat(eventPath); err != nil {
		return fmt.Errorf("event file: %w", err)
	}
	cfg, stop, err := devCloud(context.Background(), l, "this invocation")
	if err != nil {
		return err
	}
	defer stop()
	cmd := exec.Command("go", "run", "./functions/"+fn, "-invoke", eventPath)
	cmd.Dir = l.root
	cmd.Env = append(os.Environ(), cfg.Environ()...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// reindex rebuilds the search index of group gid ("": every group) on the
// local cloud, through the scheduler's reindex steps (the code the
// "Search reindex" event runs on AWS), until the run is done.
func reindex(gid string, restart bool) error {
	l, err := setup()
	if err != nil {
		return err
	}
	cfg, stop, err := devCloud(context.Background(), l, "the reindex")
	if err != nil {
		return err
	}
	defer stop()
	args := []string{"run", "./functions/scheduler", "-reindex", "-group=" + gid}
	if restart {
		args = append(args, "-restart")
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = l.root
	cmd.Env = append(os.Environ(), cfg.Environ()...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// devCloud returns the configuration of the local cloud `make dev` runs, or,
// when none answers, starts one for the purpose (stop ends it; otherwise
// stop does nothing). The table and buckets are provisioned either way.
func devCloud(ctx context.Context, l layout, purpose string) (config.Config, func(), error) {
	stop := func() {}
	var cloud *localcloud.Cloud
	var st8 state
	if b, err := os.ReadFile(filepath.Join(l.data, "dev.json")); err == nil && json.Unmarshal(b, &st8) == nil &&
		localcloud.Answering(ctx, st8.S3Endpoint) && localcloud.Answering(ctx, st8.DynamoDBEndpoint) {
		cloud = &localcloud.Cloud{DynamoDBEndpoint: st8.DynamoDBEndpoint, S3Endpoint: st8.S3Endpoint, SESEndpoint: st8.SESEndpoint}
	} else {
		fmt.Fprintf(os.Stderr, "make dev is not running: starting the local cloud for %s ...\n", purpose)
		if cloud, err = localcloud.Start(ctx, localcloud.Options{Root: l.root, DataDir: l.data, Ports: l.ports}); err != nil {
			return config.Config{}, stop, err
		}
		stop = cloud.Stop
	}
	key, err := signingKey(l.data)
	if err != nil {
		stop()
		return config.Config{}, func() {}, err
	}
	cfg := localConfig(cloud, key, l.apiPort)
	clients, err := awsclient.New(ctx, cfg)
	if err == nil {
		err = localcloud.Provision(ctx, clients.DynamoDB, localcloud.SDKS3(clients.AWS, cfg), Prefix)
	}
	if err != nil {
		stop()
		return config.Config{}, func() {}, err
	}
	return cfg, stop, nil
}
