package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs each user command in bubblewrap: every namespace unshared (no network, loopback included; own pid space,
 * so the whole tree dies with its first process), uid 65532 in a user namespace, the system read-only, a private
 * size-limited {@code /tmp}, and only the working directory ({@code /mnt/data}, as in a pod) and the execution's
 * build directory writable.
 */
public final class BubblewrapSandbox implements Sandbox {
    static final String WORKDIR_VIEW = "/mnt/data";
    static final String BUILD_VIEW = "/tmp/kcr-build";
    static final String TOOLS_VIEW = "/tmp/kcr-tools";
    static final int SANDBOX_UID = 65532;

    /** Configuration under /etc that runtimes need (Debian alternatives, certificates, fonts, R, PHP, Java). */
    private static final List<String> ETC_ENTRIES = List.of(
            "alternatives",
            "ssl",
            "ca-certificates",
            "fonts",
            "R",
            "php",
            "ld.so.cache",
            "ld.so.conf",
            "ld.so.conf.d",
            "localtime",
            "nsswitch.conf",
            "mime.types",
            "matplotlibrc",
            "python3",
            "python3.11",
            "ldc2.conf",
            "gtk-3.0",
            "ImageMagick-6");

    private final Path bwrap;
    private final Path workdir;
    private final List<String> fixedArgs;

    public BubblewrapSandbox(Path bwrap, Path workdir, Path supportDir) throws IOException {
        this.bwrap = bwrap;
        this.workdir = workdir;
        this.fixedArgs = fixedArgs(supportDir);
    }

    /** Finds bwrap on the usual paths; empty when it is not installed. */
    public static java.util.Optional<Path> locate() {
        for (String candidate : List.of("/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap")) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return java.util.Optional.of(path);
            }
        }
        return java.util.Optional.empty();
    }

    private static List<String> fixedArgs(Path supportDir) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--unshare-all",
                "--unshare-user",
                "--uid",
                Integer.toString(SANDBOX_UID),
                "--gid",
                Integer.toString(SANDBOX_UID),
                "--hostname",
                "sandbox",
                "--die-with-parent",
                "--new-session",
                "--cap-drop",
                "ALL",
                "--ro-bind",
                "/usr",
                "/usr"));
        for (String top : List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
            Path path = Path.of("/", top);
            if (Files.isSymbolicLink(path)) {
                args.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), path.toString()));
            } else if (Files.isDirectory(path)) {
                args.addAll(List.of("--ro-bind", path.toString(), path.toString()));
            }
        }
        List<String> etc = new ArrayList<>(ETC_ENTRIES);
        try (Stream<Path> entries = Files.list(Path.of("/etc"))) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("java"))
                    .forEach(etc::add);
        }
        for (String entry : etc) {
            args.addAll(List.of("--ro-bind-try", "/etc/" + entry, "/etc/" + entry));
        }
        // A passwd and group naming the sandbox user, so tools that look themselves up (R, Python's getpass) work.
        Path passwd = supportDir.resolve("passwd");
        Path group = supportDir.resolve("group");
        Files.writeString(
                passwd,
                "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                        + "sandbox:x:" + SANDBOX_UID + ":" + SANDBOX_UID + ":sandbox:/tmp:/bin/bash\n"
                        + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(group, "root:x:0:\nsandbox:x:" + SANDBOX_UID + ":\nnogroup:x:65534:\n");
        args.addAll(List.of(
                "--ro-bind",
                passwd.toString(),
                "/etc/passwd",
                "--ro-bind",
                group.toString(),
                "/etc/group",
                "--proc",
                "/proc",
                "--dev",
                "/dev"));
        return List.copyOf(args);
    }

    @Override
    public String name() {
        return "bubblewrap";
    }

    @Override
    public String workdirView() {
        return WORKDIR_VIEW;
    }

    @Override
    public String buildView(Path hostBuildDir) {
        return BUILD_VIEW;
    }

    @Override
    public String toolsView(Path hostBuildDir) {
        return TOOLS_VIEW;
    }

    @Override
    public List<String> wrap(List<String> command, Path hostBuildDir, String cwdView, Limits limits) {
        List<String> argv = new ArrayList<>(fixedArgs.size() + command.size() + 24);
        argv.add(bwrap.toString());
        argv.addAll(fixedArgs);
        argv.addAll(List.of(
                "--size",
                Long.toString(limits.tmpBytes()),
                "--tmpfs",
                "/tmp",
                "--bind",
                workdir.toString(),
                WORKDIR_VIEW,
                "--bind",
                hostBuildDir.toString(),
                BUILD_VIEW,
                // A programmatic execution's tool channel, when there is one: its own mount, so the program can
                // neither rename it nor put a link in its place for the runner to follow.
                "--bind-try",
                Sandbox.toolsDir(hostBuildDir).toString(),
                TOOLS_VIEW,
                "--chdir",
                cwdView,
                "--"));
        argv.addAll(command);
        return argv;
    }

    @Override
    public Path hostCwd(String cwdView, Path hostWorkdir, Path hostBuildDir) {
        return WORKDIR_VIEW.equals(cwdView) ? hostWorkdir : hostBuildDir;
    }

    @Override
    public boolean killsTreeOnExit() {
        return true;
    }
}
