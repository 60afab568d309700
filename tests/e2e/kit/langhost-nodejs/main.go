// pulumi-language-nodejs for the offline e2e kit.
//
// The real language host is its own Go module,
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the Go module
// proxy refuses at every version (even its @v/list answers 403). This is a minimal host of
// our own, built against the served github.com/pulumi/pulumi/sdk/v3: enough for `pulumi
// preview/up/refresh/destroy` of a nodejs (TypeScript or JavaScript) program whose
// node_modules are already installed.
//
// What it does: Handshake, GetPluginInfo, GetRequiredPackages (package.json files under
// node_modules whose "pulumi" section has "resource": true), Run (node
// @pulumi/pulumi/cmd/run, resolved from the program directory, with the engine's monitor
// address), About, GetProgramDependencies and Cancel.
// What it leaves out: the monitor proxy and the synchronous-invoke pipes (--sync; only the
// deprecated synchronous invokes need them), InstallDependencies (run npm ci yourself),
// RunPlugin (plugins written in nodejs), code generation, debugging, bun.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// @pulumi/pulumi's run script exits with this code once it has shown the user an error of
// its own: the engine must then stop without adding a message.
const exitAfterUserMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string

	// cancelled by the Cancel RPC: stops a running program.
	cancelCtx context.Context
	cancel    context.CancelFunc
}

func main() {
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint, passed on to the program")
	runtimeName := flag.String("runtime", "nodejs", "only nodejs is supported")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	if *runtimeName != "nodejs" {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (e2e kit): unsupported runtime %q\n", *runtimeName)
		os.Exit(1)
	}

	h := &host{engineAddress: flag.Arg(0), tracing: *tracing}
	h.cancelCtx, h.cancel = context.WithCancel(context.Background())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	stopServing := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(stopServing)
	}()
	if h.engineAddress != "" {
		// Exit when the engine goes away.
		if err := rpcutil.Healthcheck(ctx, h.engineAddress, 5*time.Minute, stop); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: health check of the engine: %v\n", err)
			os.Exit(1)
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopServing,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not serve: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: stopped serving: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(ctx context.Context,
	req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

// packageJSON holds what we read of a package.json.
type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
	Pulumi       struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// GetRequiredPackages lists the resource plugins of the packages installed under the program
// directory's node_modules (deeply, following symlinks once).
func (h *host) GetRequiredPackages(ctx context.Context,
	req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	var packages []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	visited := map[string]bool{}
	var walk func(dir string, inNodeModules bool)
	walk = func(dir string, inNodeModules bool) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil || visited[real] {
			return
		}
		visited[real] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			isDir := e.IsDir()
			if e.Type()&os.ModeSymlink != 0 {
				if fi, err := os.Stat(p); err == nil {
					isDir = fi.IsDir()
				}
			}
			switch {
			case isDir:
				if e.Name() == ".git" {
					continue
				}
				walk(p, inNodeModules || filepath.Base(dir) == "node_modules")
			case inNodeModules && e.Name() == "package.json":
				info, err := readPackageJSON(p)
				if err != nil || !info.Pulumi.Resource {
					continue
				}
				name := info.Pulumi.Name
				if name == "" {
					name = strings.TrimPrefix(info.Name, "@pulumi/")
				}
				ver := info.Pulumi.Version
				if ver == "" {
					ver = info.Version
				}
				if ver != "" && !strings.HasPrefix(ver, "v") {
					ver = "v" + ver
				}
				if name == "" || strings.Contains(name, "/") || seen[name+"@"+ver] {
					continue
				}
				seen[name+"@"+ver] = true
				packages = append(packages, &pulumirpc.PackageDependency{
					Name: name, Kind: "resource", Version: ver, Server: info.Pulumi.Server,
				})
			}
		}
	}
	walk(req.GetInfo().GetProgramDirectory(), false)
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// resolveModule asks node where a module resolves from the program directory.
func resolveModule(ctx context.Context, node, dir, module string) (string, error) {
	script := fmt.Sprintf("try { console.log(require.resolve(%q)); } catch (e) { "+
		"console.error(e.code === 'MODULE_NOT_FOUND' ? 'the Pulumi SDK (%s) is not installed in %s: run npm ci' : e.message); "+
		"process.exit(1); }", module, module, dir)
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// configJSON gives the program its configuration the way @pulumi/pulumi reads PULUMI_CONFIG:
// keys in the old `<namespace>:config:<name>` form, which every SDK version understands.
func configJSON(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		parts := strings.Split(k, ":")
		switch {
		case len(parts) == 2:
			out[parts[0]+":config:"+parts[1]] = v
		case len(parts) == 3 && parts[1] == "config":
			out[k] = v
		default:
			return "", fmt.Errorf("config key %q is neither <namespace>:<name> nor <namespace>:config:<name>", k)
		}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on $PATH: " + err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runPath, err = resolveModule(ctx, node, info.GetProgramDirectory(), runPath)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	opts := info.GetOptions().AsMap()
	typescript := true
	if v, ok := opts["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return &pulumirpc.RunResponse{Error: "runtime option typescript must be a boolean"}, nil
		}
		typescript = b
	}
	tsconfig, _ := opts["tsconfig"].(string)
	nodeargs, _ := opts["nodeargs"].(string)

	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	h.mu.Lock()
	engine := h.engineAddress
	h.mu.Unlock()

	// nodeargs are split on blanks: no quoting.
	args := append(strings.Fields(nodeargs), runPath)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", engine)
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	env := append(os.Environ(), "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	if typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	// Stop the program when the request ends or the engine calls Cancel.
	runCtx, stopRun := context.WithCancel(h.cancelCtx)
	defer stopRun()
	context.AfterFunc(ctx, stopRun)
	cmd := exec.CommandContext(runCtx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = env
	// Through a pipe, not the file itself: node may switch its stdio to non-blocking mode.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	err = cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() == exitAfterUserMessage {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ee.ExitCode())}, nil
	}
	return &pulumirpc.RunResponse{Error: "could not run node: " + err.Error()}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on $PATH: %w", err)
	}
	resp := &pulumirpc.AboutResponse{Executable: node, Metadata: map[string]string{"packagemanager": "npm"}}
	if out, err := exec.CommandContext(ctx, node, "--version").Output(); err == nil {
		resp.Version = strings.TrimSpace(string(out))
	}
	return resp, nil
}

// GetProgramDependencies lists the program's direct dependencies with their installed versions.
func (h *host) GetProgramDependencies(ctx context.Context,
	req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	pkg, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(pkg.Dependencies))
	for name := range pkg.Dependencies {
		names = append(names, name)
	}
	sort.Strings(names)
	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, name := range names {
		ver := pkg.Dependencies[name]
		if installed, err := readPackageJSON(filepath.Join(dir, "node_modules", name, "package.json")); err == nil {
			ver = installed.Version
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: ver})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
